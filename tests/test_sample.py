"""The sampling entry point: file names, determinism by seed, start scales, errors."""

import os

import numpy as np
from PIL import Image

from conftest import last_line, run_module


def read(path):
    return np.asarray(Image.open(path))


def test_writes_numbered_samples_reproducibly(trained_model_dir, tmp_path):
    first, again, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in [(first, 5), (again, 5), (other, 6)]:
        result = run_module("singan_tf.sample", f"--model_dir={trained_model_dir}",
                            f"--out_dir={out}", "--num_samples=3", f"--seed={seed}")
        assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(os.listdir(first)) == ["sample_000.png", "sample_001.png", "sample_002.png"]
    image = Image.open(first / "sample_000.png")
    assert image.size == (32, 32) and image.mode == "RGB"
    for name in os.listdir(first):
        np.testing.assert_array_equal(read(first / name), read(again / name))
    # Sample i uses seed + i: seed 6's first sample is seed 5's second.
    np.testing.assert_array_equal(read(other / "sample_000.png"), read(first / "sample_001.png"))
    assert np.abs(read(first / "sample_000.png").astype(int)
                  - read(first / "sample_001.png").astype(int)).mean() > 0.5


def test_matches_the_library(trained_model, trained_model_dir, tmp_path):
    from singan_tf import imageio
    result = run_module("singan_tf.sample", f"--model_dir={trained_model_dir}",
                        f"--out_dir={tmp_path}", "--num_samples=1", "--seed=9", "--start_scale=2")
    assert result.returncode == 0, result.stderr[-3000:]
    want = imageio.to_uint8(trained_model.generate(trained_model.seeded_noise(9), start_scale=2)[0])
    np.testing.assert_array_equal(read(tmp_path / "sample_000.png"), want)


def test_errors_are_one_line(trained_model_dir, tmp_path):
    cases = [([f"--model_dir={trained_model_dir}", "--start_scale=4"], "start_scale=4 must be in 0..3"),
             ([f"--model_dir={tmp_path / 'none'}"], "model_dir not found"),
             ([f"--model_dir={tmp_path}"], "not a singan_tf model directory"),
             ([f"--model_dir={trained_model_dir}", "--num_samples=0"], "num_samples")]
    for flags, message in cases:
        result = run_module("singan_tf.sample", *flags, f"--out_dir={tmp_path / 'out'}")
        assert result.returncode != 0 and "Traceback" not in result.stderr
        assert message in last_line(result.stderr), result.stderr[-2000:]


def test_any_size_and_aspect_ratio(trained_model, trained_model_dir, tmp_path):
    for scale_h, scale_w in [(0.5, 0.5), (1.0, 4.0), (4.0, 4.0), (2.0, 0.5)]:
        image = trained_model.generate(trained_model.seeded_noise(0, scale_h, scale_w))
        assert image.shape == (1, round(32 * scale_h), round(32 * scale_w), 3)
        assert np.all(np.abs(image.numpy()) < 3)
    result = run_module("singan_tf.sample", f"--model_dir={trained_model_dir}",
                        f"--out_dir={tmp_path}", "--num_samples=1", "--seed=2",
                        "--scale_h=0.75", "--scale_w=2")
    assert result.returncode == 0, result.stderr[-3000:]
    image = Image.open(tmp_path / "sample_000.png")
    assert image.size == (64, 24) and image.mode == "RGB"


def test_any_size_needs_start_scale_zero(trained_model_dir, tmp_path):
    result = run_module("singan_tf.sample", f"--model_dir={trained_model_dir}",
                        f"--out_dir={tmp_path}", "--start_scale=1", "--scale_w=2")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "start_scale > 0 keeps the reconstruction" in last_line(result.stderr)
