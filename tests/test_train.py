"""The training entry point: flags, flagfiles, one-line errors, nothing on disk damaged."""

import hashlib
import os

import numpy as np
import pytest
from PIL import Image

from conftest import last_line, make_tiny_image, run_module, write_png


def assert_one_line_error(result, message):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert message in last_line(result.stderr), result.stderr[-2000:]


@pytest.mark.parametrize("flags, message", [
    (["--scale_factor=1.5"], "scale_factor=1.5 must be in (0, 1)"),
    (["--niter=0"], "niter=0 must be at least 1"),
    (["--min_size=30", "--max_size=20"], "max_size=20 must be at least min_size=30"),
    (["--niter=abc"], "--niter=abc"),
    (["--no_such_flag=1"], "no_such_flag"),
])
def test_bad_flags(tiny_image_path, tmp_path, flags, message):
    result = run_module("singan_tf.train", f"--image={tiny_image_path}",
                        f"--model_dir={tmp_path / 'm'}", *flags)
    assert_one_line_error(result, message)
    assert not (tmp_path / "m").exists()


def test_bad_images(tmp_path):
    (tmp_path / "text.png").write_text("hello")
    small = write_png(make_tiny_image(16, 16), tmp_path / "small.png")
    cases = [(str(tmp_path / "missing.png"), "image not found"),
             (str(tmp_path / "text.png"), "cannot read image"),
             (small, "must be at least min_size=25")]
    for image, message in cases:
        result = run_module("singan_tf.train", f"--image={image}", f"--model_dir={tmp_path / 'm'}")
        assert_one_line_error(result, message)


def digest(directory):
    h = hashlib.sha256()
    for root, _, files in sorted(os.walk(directory)):
        for name in sorted(files):
            h.update(name.encode())
            h.update(open(os.path.join(root, name), "rb").read())
    return h.hexdigest()


def test_existing_model_is_refused_and_untouched(trained_model_dir, tiny_image_path):
    before = digest(trained_model_dir)
    result = run_module("singan_tf.train", f"--image={tiny_image_path}",
                        f"--model_dir={trained_model_dir}")
    assert_one_line_error(result, "already holds a model")
    assert digest(trained_model_dir) == before


def test_trains_an_rgba_image_from_a_flagfile(tmp_path):
    pixels = np.round((make_tiny_image(28, 28) + 1) * 127.5).astype(np.uint8)
    rgba = np.concatenate([pixels, np.full((28, 28, 1), 128, np.uint8)], -1)
    Image.fromarray(rgba).save(tmp_path / "rgba.png")
    (tmp_path / "tiny.cfg").write_text("--max_size=28\n--min_size=22\n--niter=2\n--seed=4\n")
    result = run_module("singan_tf.train", f"--image={tmp_path / 'rgba.png'}",
                        f"--model_dir={tmp_path / 'm'}", f"--flagfile={tmp_path / 'tiny.cfg'}",
                        "--alpha=20", "--progress=false")
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = open(tmp_path / "m" / "model.json").read()
    assert '"niter": 2' in manifest and '"alpha": 20.0' in manifest and '"seed": 4' in manifest
    assert sorted(e for e in os.listdir(tmp_path / "m") if e.startswith("scale")) == [
        "scale_00", "scale_01", "scale_02"]


def test_killed_at_any_moment_resumes_to_the_uninterrupted_model(
        trained_model, tiny_image_path, tiny_config, tmp_path):
    """SIGTERM (graceful) then SIGKILLs at several moments; each resume continues the run.

    The final model must equal the uninterrupted one (the session fixture, same
    config) bit for bit, and the directory must load after every kill.
    """
    import signal
    import subprocess
    import sys
    import time

    from conftest import REPO
    from singan_tf import model_dir

    path = str(tmp_path / "m")
    config_flags = [f"--{k}={v}" for k, v in tiny_config.to_dict().items()]
    first = [f"--image={tiny_image_path}", *config_flags]
    env = dict(os.environ, PYTHONPATH=REPO)
    runs, resumed = 0, []
    for delay, sig in [(11, signal.SIGTERM), (12, signal.SIGKILL), (13, signal.SIGKILL)]:
        args = first if runs == 0 else ["--resume"]
        process = subprocess.Popen(
            [sys.executable, "-m", "singan_tf.train", f"--model_dir={path}", "--progress=false",
             "--checkpoint_every=5", *args], env=env, stderr=subprocess.PIPE, text=True)
        runs += 1
        time.sleep(delay)
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=120)
        if process.returncode == 0:
            break  # finished before the signal
        if sig == signal.SIGTERM:
            assert "continue with --resume" in last_line(stderr), stderr[-2000:]
        assert model_dir.read_manifest(path)
        resumed.append(model_dir.trained_scales(path))
        if resumed[-1]:
            model_dir.load(path)
    assert resumed == sorted(resumed)  # never lost a complete scale
    result = run_module("singan_tf.train", f"--model_dir={path}", "--resume", "--progress=false")
    assert result.returncode == 0, result.stderr[-3000:]
    model, _ = model_dir.load(path)
    for seed in range(2):
        np.testing.assert_array_equal(model.generate(model.seeded_noise(seed)).numpy(),
                                      trained_model.generate(trained_model.seeded_noise(seed)).numpy())


def test_resume_refuses_contradicting_flags(trained_model_dir):
    result = run_module("singan_tf.train", f"--model_dir={trained_model_dir}", "--resume",
                        "--niter=7")
    assert_one_line_error(result, "--niter=7 differs from the run being resumed")
