"""The train command: flags, flagfiles, one-line errors, nothing on disk damaged, exact resume."""

import hashlib
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from conftest import REPO, assert_one_line_error, last_line, make_tiny_image, run_module, write_png
from singan_tf.io.model_dir import ModelDir


@pytest.mark.parametrize("flags, message", [
    (["--scale_factor=1.5"], "scale_factor=1.5 must be in (0, 1)"),
    (["--niter=0"], "niter=0 must be at least 1"),
    (["--min_size=30", "--max_size=20"], "max_size=20 must be at least min_size=30"),
    (["--niter=abc"], "--niter=abc"),
    (["--no_such_flag=1"], "no_such_flag"),
    ([], "--image is required"),
])
def test_bad_flags_are_one_line_and_create_nothing(command, tiny_image_path, tmp_path, flags,
                                                   message):
    image = [] if message == "--image is required" else [f"--image={tiny_image_path}"]
    result = command("train", *image, f"--model_dir={tmp_path / 'm'}", *flags)
    assert_one_line_error(result, message)
    assert not (tmp_path / "m").exists()


def test_bad_images_are_one_line(command, tmp_path):
    (tmp_path / "text.png").write_text("hello")
    small = write_png(make_tiny_image(16, 16), tmp_path / "small.png")
    for image, message in [(tmp_path / "missing.png", "image not found"),
                           (tmp_path / "text.png", "cannot read image"),
                           (small, "must be at least min_size=25")]:
        assert_one_line_error(command("train", f"--image={image}",
                                      f"--model_dir={tmp_path / 'm'}"), message)


def digest(directory):
    h = hashlib.sha256()
    for root, _, files in sorted(os.walk(directory)):
        for name in sorted(files):
            h.update(name.encode())
            h.update(open(os.path.join(root, name), "rb").read())
    return h.hexdigest()


def test_existing_model_is_refused_and_untouched(command, trained_model_dir, tiny_image_path):
    before = digest(trained_model_dir)
    result = command("train", f"--image={tiny_image_path}", f"--model_dir={trained_model_dir}")
    assert_one_line_error(result, "already holds a model")
    assert digest(trained_model_dir) == before


def test_resume_refuses_contradicting_flags(command, trained_model_dir):
    result = command("train", f"--model_dir={trained_model_dir}", "--resume", "--niter=7")
    assert_one_line_error(result, "--niter=7 differs from the run being resumed")


def test_trains_an_rgba_image_from_a_flagfile_quietly(tmp_path):
    """The smoke test, in a fresh process as a user runs it: TensorFlow's start-up notices
    stay out of the output."""
    pixels = np.round((make_tiny_image(22, 22) + 1) * 127.5).astype(np.uint8)
    rgba = np.concatenate([pixels, np.full((22, 22, 1), 128, np.uint8)], -1)
    Image.fromarray(rgba).save(tmp_path / "rgba.png")
    (tmp_path / "tiny.cfg").write_text("--max_size=22\n--min_size=20\n--niter=2\n--seed=4\n")
    result = run_module("singan_tf.train", f"--image={tmp_path / 'rgba.png'}",
                        f"--model_dir={tmp_path / 'm'}", f"--flagfile={tmp_path / 'tiny.cfg'}",
                        "--alpha=20", "--progress=false")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr == ""
    assert last_line(result.stdout) == f"Model written to {tmp_path / 'm'}"
    config = ModelDir(str(tmp_path / "m")).read_manifest()["config"]
    assert (config["niter"], config["alpha"], config["seed"]) == (2, 20.0, 4)
    assert sorted(e for e in os.listdir(tmp_path / "m") if e.startswith("scale")) == [
        "scale_00", "scale_01", "scale_02"]


def wait_for(condition, process, timeout=300):
    """Waits until `condition()`; False if the process ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if condition():
            return True
        time.sleep(0.02)
    raise AssertionError("timed out waiting for the training process")


def test_killed_at_any_moment_resumes_to_the_uninterrupted_model(
        trained_model, tiny_image_path, tiny_config, tmp_path):
    """SIGTERM (graceful) in scale 1, SIGKILL right after a checkpoint of scale 1 or 2, SIGKILL
    right after scale 2 is written; each resume continues the run. The final model must
    equal the uninterrupted one (the session fixture, same config) bit for bit, and the
    directory must load after every stop."""
    path = tmp_path / "m"
    checkpoint = path / "checkpoint.npz"

    def rewritten(since):
        return lambda: checkpoint.exists() and checkpoint.stat().st_mtime_ns > since

    config_flags = [f"--{k}={v}" for k, v in tiny_config.to_dict().items()]
    stops = [(signal.SIGTERM, lambda: (path / "scale_00").exists()),
             (signal.SIGKILL, None),  # after the next checkpoint of the resumed run
             (signal.SIGKILL, lambda: (path / "scale_02").exists())]
    env = dict(os.environ, PYTHONPATH=REPO)
    trained = []
    for run, (sig, condition) in enumerate(stops):
        args = [f"--image={tiny_image_path}", *config_flags] if run == 0 else ["--resume"]
        if condition is None:
            condition = rewritten(checkpoint.stat().st_mtime_ns)
        process = subprocess.Popen(
            [sys.executable, "-m", "singan_tf.train", f"--model_dir={path}", "--progress=false",
             "--checkpoint_every=5", *args], env=env, stderr=subprocess.PIPE, text=True)
        reached = wait_for(condition, process)
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=120)
        assert reached, f"run {run} ended before its stop: {stderr[-2000:]}"
        if sig == signal.SIGTERM:
            assert process.returncode == 1
            assert "continue with --resume" in last_line(stderr), stderr[-2000:]
        trained.append(ModelDir(str(path)).trained_scales())
        if trained[-1]:
            ModelDir(str(path)).load()
    assert trained == sorted(trained) and trained[-1] >= 3  # never lost a complete scale
    result = run_module("singan_tf.train", f"--model_dir={path}", "--resume", "--progress=false")
    assert result.returncode == 0, result.stderr[-3000:]
    model, _ = ModelDir(str(path)).load()
    for seed in range(2):
        np.testing.assert_array_equal(model.generate(model.seeded_noise(seed)).numpy(),
                                      trained_model.generate(trained_model.seeded_noise(seed)).numpy())
