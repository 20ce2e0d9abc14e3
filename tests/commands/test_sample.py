"""The sample command: file names, determinism by seed, start scales, sizes, errors."""

import os

import numpy as np
from PIL import Image

from conftest import assert_one_line_error, last_line, read_png, run_module
from singan_tf.apps import sampling
from singan_tf.io import images


def test_writes_numbered_samples_reproducibly(command, trained_model_dir, tmp_path):
    first, again, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in [(first, 5), (again, 5), (other, 6)]:
        result = command("sample", f"--model_dir={trained_model_dir}", f"--out_dir={out}",
                         "--num_samples=3", f"--seed={seed}")
        assert result.returncode == 0, result.stderr
        assert last_line(result.stdout) == f"3 samples written to {out}"
    assert sorted(os.listdir(first)) == ["sample_000.png", "sample_001.png", "sample_002.png"]
    image = Image.open(first / "sample_000.png")
    assert image.size == (32, 32) and image.mode == "RGB"
    for name in os.listdir(first):
        np.testing.assert_array_equal(read_png(first / name), read_png(again / name))
    # Sample i uses seed + i: seed 6's first sample is seed 5's second.
    np.testing.assert_array_equal(read_png(other / "sample_000.png"),
                                  read_png(first / "sample_001.png"))
    assert np.abs(read_png(first / "sample_000.png").astype(int)
                  - read_png(first / "sample_001.png").astype(int)).mean() > 0.5


def test_matches_the_library(command, trained_model, trained_model_dir, tmp_path):
    result = command("sample", f"--model_dir={trained_model_dir}", f"--out_dir={tmp_path}",
                     "--num_samples=1", "--seed=9", "--start_scale=2")
    assert result.returncode == 0, result.stderr
    want = images.to_uint8(sampling.sampler(trained_model, start_scale=2)(9))
    np.testing.assert_array_equal(read_png(tmp_path / "sample_000.png"), want)


def test_noise_gain_matches_the_library(command, trained_model, trained_model_dir, tmp_path):
    result = command("sample", f"--model_dir={trained_model_dir}", f"--out_dir={tmp_path}",
                     "--num_samples=1", "--seed=9", "--start_scale=1", "--noise_gain=4")
    assert result.returncode == 0, result.stderr
    gained = sampling.with_noise_gain(trained_model, 1, 4.0)
    want = images.to_uint8(sampling.sampler(gained, start_scale=1)(9))
    np.testing.assert_array_equal(read_png(tmp_path / "sample_000.png"), want)
    plain = images.to_uint8(sampling.sampler(trained_model, start_scale=1)(9))
    assert np.abs(want.astype(int) - plain).mean() > 0.5


def test_batches_match_the_lone_samples(command, trained_model, trained_model_dir, tmp_path):
    result = command("sample", f"--model_dir={trained_model_dir}", f"--out_dir={tmp_path}",
                     "--num_samples=3", "--seed=4", "--batch_size=2")
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(tmp_path)) == ["sample_000.png", "sample_001.png", "sample_002.png"]
    lone = sampling.sampler(trained_model)
    for i in range(3):
        diff = read_png(tmp_path / f"sample_{i:03d}.png").astype(int) - images.to_uint8(lone(4 + i))
        assert np.abs(diff).max() <= 1


def test_errors_are_one_line(command, trained_model_dir, tmp_path):
    cases = [([f"--model_dir={trained_model_dir}", "--start_scale=4"],
              "start_scale=4 must be in 0..3"),
             ([f"--model_dir={tmp_path / 'none'}"], "model_dir not found"),
             ([f"--model_dir={tmp_path}"], "not a singan_tf model directory"),
             ([f"--model_dir={trained_model_dir}", "--num_samples=0"], "num_samples"),
             ([f"--model_dir={trained_model_dir}", "--batch_size=0"], "batch_size"),
             ([f"--model_dir={trained_model_dir}", "--noise_gain=-1"], "noise_gain"),
             ([f"--model_dir={trained_model_dir}", "--start_scale=1", "--scale_w=2"],
              "start_scale > 0 keeps the reconstruction")]
    for flags, message in cases:
        assert_one_line_error(command("sample", *flags, f"--out_dir={tmp_path / 'out'}"), message)
    assert not (tmp_path / "out").exists()


def test_any_size_and_aspect_ratio(command, trained_model_dir, tmp_path):
    result = command("sample", f"--model_dir={trained_model_dir}", f"--out_dir={tmp_path}",
                     "--num_samples=1", "--seed=2", "--scale_h=0.75", "--scale_w=2")
    assert result.returncode == 0, result.stderr
    image = Image.open(tmp_path / "sample_000.png")
    assert image.size == (64, 24) and image.mode == "RGB"


def test_tiles_on_request_give_the_same_images(command, trained_model_dir, tmp_path):
    for out, tile in [(tmp_path / "whole", []), (tmp_path / "tiled", ["--tile=9"])]:
        result = command("sample", f"--model_dir={trained_model_dir}", f"--out_dir={out}",
                         "--num_samples=2", "--scale_w=1.5", "--noprogress", *tile)
        assert result.returncode == 0, result.stderr
    for name in ("sample_000.png", "sample_001.png"):
        np.testing.assert_array_equal(read_png(tmp_path / "tiled" / name),
                                      read_png(tmp_path / "whole" / name))


def test_smoke_in_a_fresh_process(trained_model_dir, tmp_path):
    result = run_module("singan_tf.sample", f"--model_dir={trained_model_dir}",
                        f"--out_dir={tmp_path}", "--num_samples=2", "--seed=5")
    assert result.returncode == 0 and result.stderr == "", result.stderr[-3000:]
    assert sorted(os.listdir(tmp_path)) == ["sample_000.png", "sample_001.png"]
