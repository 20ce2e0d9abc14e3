"""The exported SavedModel, tested with the real loaders: the Python one in a process
that never imports singan_tf, and TF's C++ one through `saved_model_cli run`."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from singan_tf.apps import sampling
from singan_tf.deploy import serving
from singan_tf.errors import ConfigError
from singan_tf.io import images


@pytest.fixture(scope="module")
def exported(trained_model, tmp_path_factory):
    """One export, with small limits to test them."""
    export_dir = tmp_path_factory.mktemp("saved_models") / "tiny"
    serving.save(trained_model, str(export_dir), max_batch=4, max_pixels=100000)
    return export_dir


def samples(model, seeds, start_scale=0):
    """What `singan_tf.sample` writes for these seeds (commands/test_sample.py checks it)."""
    sample = sampling.sampler(model, start_scale)
    return np.stack([images.to_uint8(sample(seed)) for seed in seeds])


def test_layout_and_versions(exported, trained_model):
    assert sorted(os.listdir(exported)) == ["1"]
    assert os.path.isfile(exported / "1" / "saved_model.pb")
    assert os.path.isfile(exported / "1" / "variables" / "variables.index")
    assert serving.next_version(exported) == 2
    with pytest.raises(ConfigError, match="version 1 already exists"):
        serving.save(trained_model, str(exported), version=1)
    assert sorted(os.listdir(exported)) == ["1"]


def test_next_version_skips_other_entries(tmp_path):
    assert serving.next_version(tmp_path / "absent") == 1
    for name in ["1", "7", "README.md", ".8.partial"]:
        (tmp_path / name).mkdir()
    assert serving.next_version(tmp_path) == 8


def test_python_loader_without_singan_tf_matches_sample(exported, trained_model, tmp_path):
    """Bit-identical: a 1-ulp float difference would flip a uint8 now and then."""
    script = textwrap.dedent(f"""
        import sys
        import numpy as np
        import tensorflow as tf
        loaded = tf.saved_model.load({str(exported / "1")!r})
        out = {{}}
        default = loaded.signatures["serving_default"]  # at most 4 seeds a call (--max_batch=4)
        out["default"] = tf.concat([default(seed=tf.range(s, s + 4, dtype=tf.int64))["images"]
                                    for s in (5, 9)], axis=0)
        out["mixed"] = loaded.signatures["sample"](  # one request, two start scales
            seed=tf.constant([9, 9], tf.int64), scale_h=tf.constant([1.0, 1.0]),
            scale_w=tf.constant([1.0, 1.0]), start_scale=tf.constant([2, 0]))["images"]
        out["big"] = loaded.signatures["sample"](
            seed=tf.constant([1], tf.int64), scale_h=tf.constant([1.5]),
            scale_w=tf.constant([0.5]), start_scale=tf.constant([0]))["images"]
        out["rec"] = loaded.signatures["reconstruct"](seed=tf.constant([0, 1], tf.int64))["images"]
        assert not any(m.startswith("singan_tf") for m in sys.modules)
        np.savez({str(tmp_path / "out.npz")!r}, **{{k: v.numpy() for k, v in out.items()}})
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    out = np.load(tmp_path / "out.npz")
    assert out["default"].dtype == np.uint8 and out["default"].shape == (8, 32, 32, 3)
    np.testing.assert_array_equal(out["default"], samples(trained_model, range(5, 13)))
    np.testing.assert_array_equal(out["mixed"][:1], samples(trained_model, [9], start_scale=2))
    np.testing.assert_array_equal(out["mixed"][1:], samples(trained_model, [9]))
    assert out["big"].shape == (1, 48, 16, 3)
    reconstruction = images.to_uint8(trained_model.reconstruct())
    np.testing.assert_array_equal(out["rec"], np.concatenate([reconstruction] * 2))


def saved_model_cli(exported, signature, out_dir, **inputs):
    """Runs `saved_model_cli run` (TF's C++ loader) with .npy inputs; returns `images`."""
    out_dir.mkdir()
    specs = []
    for name, value in inputs.items():
        np.save(out_dir / f"{name}.npy", value)
        specs.append(f"{name}={out_dir / name}.npy")
    command = [sys.executable, "-m", "tensorflow.python.tools.saved_model_cli", "run",
               "--dir", str(exported / "1"), "--tag_set", "serve", "--signature_def", signature,
               "--outdir", str(out_dir), "--overwrite"]
    command += ["--inputs", ";".join(specs)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return np.load(out_dir / "images.npy")


def test_tensorflows_cpp_loader_runs_the_signatures(exported, trained_model, tmp_path):
    """saved_model_cli restores the variables as TF Serving does (Keras 3 models in a plain
    tf.Module are not restored there unless tracked: serving.ServingModule)."""
    got = saved_model_cli(exported, "sample", tmp_path / "sample",
                          seed=np.array([5, 6], np.int64), scale_h=np.ones(2, np.float32),
                          scale_w=np.ones(2, np.float32), start_scale=np.zeros(2, np.int32))
    np.testing.assert_array_equal(got, samples(trained_model, [5, 6]))
    painting = np.zeros([1, 40, 24, 3], np.uint8)
    painting[:, :20] = [200, 40, 40]
    got = saved_model_cli(exported, "inject", tmp_path / "inject", image=painting,
                          start_scale=np.array([2], np.int32), seed=np.array([3], np.int64))
    want = images.to_uint8(trained_model.inject(painting[0].astype(np.float32) / 127.5 - 1.0, 2,
                                                seed=3))
    # The signature fits an image of any size with a kernel scale known only at run time;
    # the library's static one may round an ulp apart: at most one uint8 level.
    assert np.abs(got[0].astype(int) - want).max() <= 1


@pytest.mark.parametrize("signature, inputs, message", [
    ("sample", dict(start_scale=[4]), "start_scale must be in 0..3"),
    ("sample", dict(start_scale=[-1]), "start_scale must be in 0..3"),
    ("sample", dict(scale_h=[9.0]), "scale_h must be in [0.25, 8.0]"),
    ("sample", dict(scale_w=[0.2]), "scale_w must be in [0.25, 8.0]"),
    ("sample", dict(seed=[1, 2, 3, 4, 5]), "batch (number of images) must be at most 4"),
    ("sample", dict(seed=[], scale_h=[], scale_w=[], start_scale=[]), "at least one image"),
    ("sample", dict(seed=[1, 2], scale_h=[8.0, 8.0], scale_w=[8.0, 8.0], start_scale=[0, 0]),
     "at most 100000 pixels"),
    ("sample", dict(start_scale=[1], scale_h=[2.0]), "needs scale_h = scale_w = 1"),
    ("sample", dict(seed=[1, 2], scale_h=[1.0, 2.0], scale_w=[1.0, 1.0], start_scale=[0, 0]),
     "the same size"),
    ("sample", dict(seed=[1, 2], scale_h=[1.0]), "scale_h must hold one value per image"),
    ("inject", dict(start_scale=[0]), "start_scale must be in 1..3"),
    ("inject", dict(start_scale=[4]), "start_scale must be in 1..3"),
    ("inject", dict(image=np.zeros([1, 400, 400, 3], np.uint8)), "at most 100000 pixels"),
    ("inject", dict(seed=[0, 1]), "seed must hold one value per image"),
    ("reconstruct", dict(seed=list(range(5))), "batch (number of images) must be at most 4"),
])
def test_requests_outside_the_limits_fail_clearly(exported, signature, inputs, message):
    import tensorflow as tf
    loaded = _load(exported)
    defaults = {"sample": dict(seed=[1], scale_h=[1.0], scale_w=[1.0], start_scale=[0]),
                "inject": dict(image=np.zeros([1, 32, 32, 3], np.uint8), start_scale=[1],
                               seed=[0]),
                "reconstruct": dict(seed=[0])}[signature]
    specs = loaded.signatures[signature].structured_input_signature[1]
    call = {k: tf.constant(v, specs[k].dtype) for k, v in {**defaults, **inputs}.items()}
    with pytest.raises(tf.errors.InvalidArgumentError) as error:
        loaded.signatures[signature](**call)
    assert message in str(error.value)


def test_every_input_is_batch_first(exported):
    """TF Serving's batcher merges requests along the first dimension of every input and
    output: each must be the batch."""
    loaded = _load(exported)
    assert sorted(loaded.signatures) == ["inject", "reconstruct", "sample", "serving_default"]
    for name, function in loaded.signatures.items():
        for spec in function.structured_input_signature[1].values():
            assert spec.shape.rank >= 1 and spec.shape[0] is None, (name, spec)
        for spec in function.structured_outputs.values():
            assert spec.shape[0] is None, (name, spec)


_LOADED = {}


def _load(path):
    import tensorflow as tf
    if path not in _LOADED:
        _LOADED[path] = tf.saved_model.load(str(path / "1"))
    return _LOADED[path]
