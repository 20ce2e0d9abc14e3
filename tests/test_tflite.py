"""TFLite: builtins only (runs in the stand-alone LiteRT runtime), agreement with TF,
and the sampling entry point in a process where TensorFlow cannot be imported."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

from conftest import REPO, last_line, run_module


@pytest.fixture(scope="module")
def tflite_path(trained_model, tmp_path_factory):
    from singan_tf import tflite_export
    path = tmp_path_factory.mktemp("tflite") / "tiny.tflite"
    path.write_bytes(tflite_export.convert(trained_model))
    return path


def test_only_builtin_ops(tflite_path):
    from ai_edge_litert.interpreter import Interpreter
    interpreter = Interpreter(model_path=str(tflite_path))
    ops = {op["op_name"] for op in interpreter._get_ops_details()}
    assert ops and not any("Flex" in op or op == "CUSTOM" for op in ops), ops


def test_agrees_with_tensorflow_for_the_same_noise(trained_model, tflite_path):
    import tensorflow as tf
    from singan_tf import imageio
    from singan_tf.litert import TFLiteSampler
    sampler = TFLiteSampler(str(tflite_path))
    assert [list(d["shape"]) for d in sampler.inputs] == trained_model.noise_shapes()
    for seed in range(3):
        noise = sampler.noise(seed)
        got = sampler.run(noise)
        want = imageio.to_uint8(trained_model.generate([tf.constant(z) for z in noise]))
        assert got.dtype == np.uint8 and got.shape == (1, 32, 32, 3)
        assert np.abs(got.astype(int) - want.astype(int)).max() <= 2


def run_without_tensorflow(*args, cwd):
    """python -m singan_tf.tflite_sample ARGS with `import tensorflow` made to fail."""
    script = textwrap.dedent("""
        import runpy, sys
        sys.modules["tensorflow"] = None
        sys.argv = ["tflite_sample", *sys.argv[1:]]
        try:
            runpy.run_module("singan_tf.tflite_sample", run_name="__main__")
        finally:
            assert not any(m == "tensorflow" or m.startswith("tensorflow.") for m in sys.modules
                           if sys.modules[m] is not None), "tensorflow was imported"
    """)
    env = dict(os.environ, PYTHONPATH=REPO)
    return subprocess.run([sys.executable, "-c", script, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_sample_entry_point_needs_no_tensorflow(tflite_path, trained_model_dir, tmp_path):
    from singan_tf.litert import TFLiteSampler
    out = tmp_path / "out"
    result = run_without_tensorflow(f"--model={tflite_path}", f"--out_dir={out}",
                                    "--num_samples=2", "--seed=4", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(os.listdir(out)) == ["sample_000.png", "sample_001.png"]
    sampler = TFLiteSampler(str(tflite_path))
    for i in range(2):
        np.testing.assert_array_equal(np.asarray(Image.open(out / f"sample_{i:03d}.png")),
                                      sampler.run(sampler.noise(4 + i))[0])
    # Same seed, same image as singan_tf.sample (noise drawn by the NumPy port of TF's).
    result = run_module("singan_tf.sample", f"--model_dir={trained_model_dir}",
                        f"--out_dir={tmp_path / 'tf'}", "--num_samples=2", "--seed=4")
    assert result.returncode == 0, result.stderr[-3000:]
    for i in range(2):
        tf_image = np.asarray(Image.open(tmp_path / "tf" / f"sample_{i:03d}.png")).astype(int)
        assert np.abs(np.asarray(Image.open(out / f"sample_{i:03d}.png")) - tf_image).max() <= 2
    again = run_without_tensorflow(f"--model={tflite_path}", f"--out_dir={tmp_path / 'again'}",
                                   "--num_samples=1", "--seed=5", cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "again" / "sample_000.png")),
                                  np.asarray(Image.open(out / "sample_001.png")))


def test_sample_errors_are_one_line(tmp_path):
    (tmp_path / "bad.tflite").write_bytes(b"not a model")
    for model, message in [(tmp_path / "none.tflite", "model not found"),
                           (tmp_path / "bad.tflite", "not a TFLite model")]:
        result = run_without_tensorflow(f"--model={model}", f"--out_dir={tmp_path / 'o'}", cwd=tmp_path)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert message in last_line(result.stderr), result.stderr[-2000:]
