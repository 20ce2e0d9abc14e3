"""The generation path: noise in, images out, reconstruction below the start scale."""

import math

import numpy as np
import pytest
import tensorflow as tf

from singan_tf import resize


def test_noise_is_single_channel_at_the_coarsest_scale(trained_model):
    shapes = trained_model.noise_shapes(batch=2)
    assert shapes[0] == [2, 21, 21, 1]
    assert all(s[-1] == 3 for s in shapes[1:])


def test_same_seed_same_image_other_seed_other_image(trained_model):
    a = trained_model.generate(trained_model.seeded_noise(7)).numpy()
    b = trained_model.generate(trained_model.seeded_noise(7)).numpy()
    c = trained_model.generate(trained_model.seeded_noise(8)).numpy()
    assert a.shape == (1, 32, 32, 3)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).mean() > 1e-3


def test_a_batch_is_its_images_generated_one_by_one(trained_model):
    noise = [tf.random.normal(s, seed=1) for s in trained_model.noise_shapes(batch=3)]
    images = trained_model.generate(noise).numpy()
    assert images.shape == (3, 32, 32, 3)
    for b in range(3):
        alone = trained_model.generate([z[b:b + 1] for z in noise]).numpy()
        np.testing.assert_allclose(images[b:b + 1], alone, atol=1e-5)
    assert np.abs(images[0] - images[1]).mean() > 1e-3


def test_start_scale_keeps_the_reconstruction_below_it(trained_model):
    reconstruction = trained_model.reconstruct().numpy()
    top = trained_model.num_scales
    # Starting above the last scale uses reconstruction noise everywhere.
    np.testing.assert_allclose(
        trained_model.generate(trained_model.seeded_noise(1), start_scale=top).numpy(),
        reconstruction, atol=1e-6)

    def distance_to_reconstruction(start_scale):
        return np.mean([np.abs(trained_model.generate(trained_model.seeded_noise(s),
                                                      start_scale=start_scale) - reconstruction)
                        for s in range(4)])

    assert distance_to_reconstruction(top - 1) < distance_to_reconstruction(0)


def test_upsample_resizes_by_the_inverse_ratio_and_crops(trained_model):
    """As the reference: imresize(x, 1 / r), whose output is ceil(21 / r), then the top-left
    crop to the next scale's size (here one pixel less than the full resize)."""
    images = tf.random.normal([1, 21, 21, 3], seed=2)
    r = trained_model.ratio
    full_size = math.ceil(21 / r)
    assert full_size == 25
    full = resize.resize(images, (full_size, full_size), (1 / r, 1 / r)).numpy()
    up = trained_model.upsample(images, (24, 24)).numpy()
    np.testing.assert_allclose(up, full[:, :24, :24], atol=1e-6)
    # The kernel scale is 1 / r, not the size ratio 24 / 21.
    by_size = resize.resize(images, (24, 24), (24 / 21, 24 / 21)).numpy()
    assert np.abs(up - by_size).max() > 1e-3


def test_coarsest_shares_generators(trained_model):
    lower = trained_model.coarsest(2)
    assert lower.num_scales == 2 and lower.generators[1] is trained_model.generators[1]
    assert lower.generate(lower.seeded_noise(0)).shape == (1, 24, 24, 3)


def test_injecting_the_downscaled_real_image_is_like_starting_from_it(trained_model, tiny_image):
    """Injection at scale k replaces scale k-1's output; the result keeps the injected layout."""
    noise = trained_model.seeded_noise(4)
    injected = trained_model.generate(noise, start_scale=2, injected=tiny_image[None])
    assert injected.shape == (1, 32, 32, 3)
    sample = trained_model.generate(noise)
    assert np.abs(injected[0] - tiny_image).mean() < np.abs(sample[0] - tiny_image).mean()


def test_injection_accepts_any_input_size(trained_model, tiny_image):
    wide = tf.image.resize(tiny_image[None], (40, 56))
    out = trained_model.generate(trained_model.seeded_noise(0), start_scale=1, injected=wide)
    assert out.shape == (1, 32, 32, 3)


def test_injection_needs_a_scale_below_it(trained_model, tiny_image):
    with pytest.raises(ValueError, match="start_scale"):
        trained_model.generate(trained_model.seeded_noise(0), start_scale=0,
                               injected=tiny_image[None])


def test_output_size_is_bounded(trained_model):
    from singan_tf.errors import ConfigError
    assert trained_model.output_size(2.0, 0.5) == (64, 16)
    with pytest.raises(ConfigError, match="no pixel"):
        trained_model.output_size(0.01, 1.0)
    with pytest.raises(ConfigError, match="must be positive"):
        trained_model.output_size(-1.0, 1.0)
    with pytest.raises(ConfigError, match="above the limit of 4,000,000 pixels"):
        trained_model.output_size(100.0, 100.0)
