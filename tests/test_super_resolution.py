"""Super-resolution: the reference's step count and schedule, output size, the entry point."""

import math

import numpy as np
import pytest
from PIL import Image

from conftest import last_line, make_tiny_image, run_module, write_png
from singan_tf import pyramid, resize
from singan_tf.apps import super_resolution
from singan_tf.config import TrainConfig
from singan_tf.errors import ConfigError


@pytest.mark.parametrize("factor, count", [(4, 6), (2, 3), (8, 9), (3, 5), (1.13, 1)])
def test_steps_are_about_a_cube_root_of_two(factor, count):
    step, k = super_resolution.steps(factor)
    assert k == count and step ** k == pytest.approx(factor)


@pytest.mark.parametrize("factor", [0.5, 1, 1.1])
def test_factors_whose_step_count_rounds_to_zero_are_refused(factor):
    with pytest.raises(ConfigError, match=f"factor={factor} is too small"):
        super_resolution.steps(factor)


def test_training_uses_the_sr_settings_and_truncated_logarithms():
    config = super_resolution.training_config(TrainConfig(), 4)
    assert (config.alpha, config.min_size) == (100.0, 18)
    assert config.scale_factor == pytest.approx(4 ** (-1 / 6))
    # 62x83: log(18/62)/log(0.794) = 5.36: stop_scale 6 truncated (7 scales), 7 with ceil.
    sr = super_resolution.schedule(62, 83, config)
    usual = pyramid.make_schedule(62, 83, 18, 250, config.scale_factor)
    assert (sr.num_scales, usual.num_scales) == (7, 8)
    assert min(sr.sizes[0]) in (18, 19) and sr.sizes[-1] == (62, 83)  # ceil of a float product


def test_output_sizes_end_at_factor_times_the_input():
    assert super_resolution.output_sizes(32, 20, 4)[-1] == (128, 80)
    assert super_resolution.output_sizes(32, 20, 2) == [(41, 26), (51, 32), (64, 40)]
    assert super_resolution.output_sizes(33, 33, 2.5)[-1] == (82, 82)


def test_super_resolve_is_the_finest_generator_applied_repeatedly(trained_model, tiny_image):
    out = super_resolution.super_resolve(trained_model, tiny_image, 2)
    assert out.shape == (64, 64, 3)
    step, _ = super_resolution.steps(2)
    images, finest = tiny_image[None], trained_model.generators[-1]
    for size in super_resolution.output_sizes(32, 32, 2):  # upsample, G_N with zero noise
        prev = resize.resize(images, size, (step, step))
        images = finest(prev, prev)
    np.testing.assert_allclose(out, images[0], atol=1e-5)
    assert super_resolution.super_resolve(trained_model, tiny_image, 4).shape == (128, 128, 3)


def test_psnr():
    a = np.zeros((4, 4, 3), np.float32)
    b = a + 2 * 10 / 255  # 10 grey levels apart
    assert super_resolution.psnr(a, b) == pytest.approx(20 * math.log10(255 / 10), abs=0.05)


def test_entry_point_trains_and_reports_psnr(tmp_path):
    """Trains a 2-scale SR model (20 px image, niter 2), then x2 with a reference."""
    low = write_png(make_tiny_image(20, 20), tmp_path / "low.png")
    high = write_png(make_tiny_image(40, 40), tmp_path / "high.png")
    result = run_module("singan_tf.super_resolve", "--flagfile=flags/super_resolve.cfg",
                        f"--image={low}", f"--out={tmp_path / 'sr.png'}",
                        "--factor=2", "--niter=2", "--progress=false", f"--reference={high}")
    assert result.returncode == 0, result.stderr[-3000:]
    image = Image.open(tmp_path / "sr.png")
    assert image.size == (40, 40) and image.mode == "RGB"
    assert (tmp_path / "sr_model" / "model.json").exists()
    assert last_line(result.stdout).startswith("PSNR ") and "dB" in last_line(result.stdout)


def test_interrupted_training_is_resumed_by_the_same_command(tmp_path):
    """A model dir missing its last scale (as after Ctrl-C) is finished, not used half-trained."""
    import shutil

    from singan_tf import model_dir
    low = write_png(make_tiny_image(20, 20), tmp_path / "low.png")
    command = ["--flagfile=flags/super_resolve.cfg", f"--image={low}",
               f"--out={tmp_path / 'sr.png'}", "--factor=2", "--niter=2", "--progress=false"]
    assert run_module("singan_tf.super_resolve", *command).returncode == 0
    path = str(tmp_path / "sr_model")
    count = model_dir.trained_scales(path)
    shutil.rmtree(model_dir.scale_dir(path, count - 1))
    result = run_module("singan_tf.super_resolve", *command)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "resuming the interrupted training" in result.stdout
    assert model_dir.trained_scales(path) == count
    shutil.rmtree(model_dir.scale_dir(path, count - 1))
    for flag, message in [("--niter=3", "--niter=3 differs from the interrupted run"),
                          ("--factor=3", "--factor=3.0 is not the factor the interrupted run")]:
        refused = run_module("singan_tf.super_resolve", *command, flag)
        assert refused.returncode == 1 and message in last_line(refused.stderr), refused.stderr


def test_unknown_output_extension_fails_before_training(tmp_path):
    low = write_png(make_tiny_image(20, 20), tmp_path / "low.png")
    result = run_module("singan_tf.super_resolve", f"--image={low}",
                        f"--out={tmp_path / 'sr.xyz'}", "--factor=2", "--niter=2")
    assert result.returncode == 1
    assert last_line(result.stderr) == f"error: unknown image file extension: {tmp_path / 'sr.xyz'}"
    assert not (tmp_path / "sr_model").exists()
