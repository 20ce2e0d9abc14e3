"""The model directory: complete scales only, no pickles, loads anywhere, refuses foreign data."""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from conftest import REPO
from singan_tf.errors import ConfigError, ModelDirError
from singan_tf.io.model_dir import ModelDir


def test_layout(trained_model_dir):
    names = set(os.listdir(trained_model_dir))
    assert {"model.json", "scale_00", "scale_03", "logs"} <= names
    assert not any(name.startswith(".") for name in names)  # no partial scale left behind
    assert set(os.listdir(os.path.join(trained_model_dir, "scale_00"))) == {
        "scale.json", "generator.weights.h5", "discriminator.weights.h5", "z_rec.npy"}
    manifest = json.load(open(os.path.join(trained_model_dir, "model.json")))
    assert manifest["config"]["niter"] == 40
    assert manifest["sizes"] == [[21, 21], [24, 24], [28, 28], [32, 32]]
    assert 0 < manifest["ratio"] < 1


def test_fresh_process_from_another_directory_gives_bit_identical_samples(
        trained_model, trained_model_dir, tmp_path):
    script = textwrap.dedent(f"""
        import numpy as np
        from singan_tf.io.model_dir import ModelDir
        model, _ = ModelDir({os.path.abspath(trained_model_dir)!r}).load()
        np.save("sample.npy", model.generate(model.seeded_noise(11)).numpy())
    """)
    (tmp_path / "load.py").write_text(script)
    subprocess.run([sys.executable, "load.py"], cwd=tmp_path, check=True,
                   env=dict(os.environ, PYTHONPATH=REPO), capture_output=True, timeout=300)
    here = trained_model.generate(trained_model.seeded_noise(11)).numpy()
    np.testing.assert_array_equal(np.load(tmp_path / "sample.npy"), here)


def copy_model(trained_model_dir, tmp_path):
    target = str(tmp_path / "model")
    shutil.copytree(trained_model_dir, target)
    return target


def test_incomplete_scales_are_not_loaded(trained_model_dir, tmp_path):
    path = copy_model(trained_model_dir, tmp_path)
    # A crash while writing scale 2 leaves a hidden partial directory only.
    shutil.move(os.path.join(path, "scale_02"), os.path.join(path, ".partial.scale_02"))
    shutil.rmtree(os.path.join(path, "scale_03"))
    model, manifest = ModelDir(path).load()
    assert model.num_scales == 2 and len(manifest["sizes"]) == 4
    assert model.generate(model.seeded_noise(0)).shape == (1, 24, 24, 3)


def test_prepare_refuses_an_existing_model_and_leaves_it_intact(trained_model_dir, tmp_path):
    path = copy_model(trained_model_dir, tmp_path)
    before = sorted(os.listdir(path))
    with pytest.raises(ModelDirError, match="--overwrite"):
        ModelDir(path).prepare()
    assert sorted(os.listdir(path)) == before
    ModelDir(path).prepare(overwrite=True)
    assert os.listdir(path) == ["logs"]


def test_prepare_accepts_an_empty_or_unrelated_directory(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    ModelDir(str(tmp_path)).prepare()
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("damage, message", [
    (lambda p: os.remove(os.path.join(p, "model.json")), "not a singan_tf model directory"),
    (lambda p: open(os.path.join(p, "model.json"), "w").write("{"), "unreadable"),
    (lambda p: json.dump({"format": "singan_tf.model", "version": 99},
                         open(os.path.join(p, "model.json"), "w")), "version 99"),
    (lambda p: open(os.path.join(p, "scale_01", "generator.weights.h5"), "wb").write(b"junk"),
     "damaged"),
    (lambda p: [shutil.rmtree(os.path.join(p, f"scale_0{n}")) for n in range(4)], "no trained scale"),
])
def test_damaged_or_foreign_directories_are_refused(trained_model_dir, tmp_path, damage, message):
    path = copy_model(trained_model_dir, tmp_path)
    damage(path)
    with pytest.raises(ModelDirError, match=message):
        ModelDir(path).load()


def test_missing_directory(tmp_path):
    with pytest.raises(ModelDirError, match="not found"):
        ModelDir(str(tmp_path / "nowhere")).load()


def test_load_discriminator_restores_the_saved_critic(trained_model_dir):
    from singan_tf import models
    critic = ModelDir(trained_model_dir).load_discriminator(3)
    image = np.zeros([1, 32, 32, 3], np.float32)
    assert critic(image).shape == (1, 22, 22, 1)
    again = ModelDir(trained_model_dir).load_discriminator(3)
    np.testing.assert_array_equal(critic(image), again(image))
    fresh = models.Discriminator(critic.nfc, critic.min_nfc)
    fresh(image)
    assert any(np.abs(a - b).max() > 0 for a, b in zip(fresh.get_weights(), critic.get_weights()))


def test_checkpoint_holds_one_scale_and_is_replaced_whole(tmp_path):
    model_dir = ModelDir(str(tmp_path))
    assert model_dir.checkpoint(2).load() is None
    model_dir.checkpoint(2).save({"a": np.arange(3)})
    np.testing.assert_array_equal(model_dir.checkpoint(2).load()["a"], [0, 1, 2])
    assert model_dir.checkpoint(3).load() is None  # it is scale 2's
    model_dir.checkpoint(3).save({"b": np.ones(2)})
    assert model_dir.checkpoint(2).load() is None and set(model_dir.checkpoint(3).load()) == {"b"}
    assert sorted(os.listdir(tmp_path)) == ["checkpoint.npz"]  # no temporary left
    (tmp_path / "checkpoint.npz").write_bytes(b"junk")
    with pytest.raises(ModelDirError, match="damaged checkpoint"):
        model_dir.checkpoint(3).load()


def test_resumed_run_refuses_contradicting_values(trained_model_dir, tiny_config):
    model_dir = ModelDir(trained_model_dir)
    config, image = model_dir.resumed_run({"niter": 40, "seed": 3})
    assert config == tiny_config and image.endswith("tiny.png")
    assert model_dir.resumed_run({}, "/elsewhere.png")[1] == "/elsewhere.png"
    with pytest.raises(ConfigError, match="--niter=7 differs from the run being resumed"):
        model_dir.resumed_run({"niter": 7})
