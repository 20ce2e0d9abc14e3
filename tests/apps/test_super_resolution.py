"""Super-resolution: the reference's step count and schedule, output sizes, the chain of G_N."""

import numpy as np
import pytest
import tensorflow as tf

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


def test_super_resolve_applies_the_finest_generator_with_fresh_noise_each_step(
        trained_model, tiny_image):
    """As the reference's SR.py: every step upsamples by factor^(1/k) and runs G_N on noise
    times the finest noise amplitude, drawn anew per step from the seed."""
    out = super_resolution.super_resolve(trained_model, tiny_image, 2, seed=7)
    assert out.shape == (64, 64, 3)
    step, _ = super_resolution.steps(2)
    images, finest = tiny_image[None], trained_model.generators[-1]
    amp = trained_model.noise_amps[-1]
    for j, size in enumerate(super_resolution.output_sizes(32, 32, 2), start=1):
        prev = resize.resize(images, size, (step, step))
        noise = tf.random.stateless_normal([1, *size, 3], seed=[7, j])
        images = finest(amp * noise, prev)
    np.testing.assert_allclose(out, images[0], atol=1e-5)
    np.testing.assert_array_equal(out, super_resolution.super_resolve(trained_model, tiny_image,
                                                                      2, seed=7))
    assert np.abs(out - super_resolution.super_resolve(trained_model, tiny_image, 2,
                                                       seed=8)).max() > 1e-3
    assert super_resolution.super_resolve(trained_model, tiny_image, 4).shape == (128, 128, 3)
