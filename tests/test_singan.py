"""The generation path: noise in, images out, reconstruction below the start scale."""

import math

import numpy as np
import pytest
import tensorflow as tf

from singan_tf import models, pyramid, resize
from singan_tf.singan import SinGAN


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


def test_injecting_the_real_image_keeps_its_layout(trained_model, tiny_image):
    injected = trained_model.inject(tiny_image, start_scale=2, seed=4).numpy()
    assert injected.shape == (32, 32, 3)
    sample = trained_model.generate(trained_model.seeded_noise(4))[0].numpy()
    assert np.abs(injected - tiny_image).mean() < np.abs(sample - tiny_image).mean()


def test_injection_accepts_any_size_of_the_models_aspect_ratio(trained_model, tiny_image):
    large = tf.image.resize(tiny_image[None], (48, 48))
    prev = trained_model.injection(large, 2)
    assert prev.shape == (1, 28, 28, 3)
    same = trained_model.injection(tiny_image[None], 2)
    assert np.abs(prev - same).mean() < 0.05


def test_injection_needs_a_scale_below_it(trained_model, tiny_image):
    for k in (0, 4):
        with pytest.raises(ValueError, match="start_scale in 1..3"):
            trained_model.injection(tiny_image[None], k)


def centroid(image):
    """(row, column) of the bright pixels of [H, W, 3] `image` in [-1, 1]."""
    weight = np.clip(np.asarray(image)[..., 0] + 1, 0, None)
    rows, cols = np.mgrid[0:weight.shape[0], 0:weight.shape[1]]
    return np.array([(weight * rows).sum(), (weight * cols).sum()]) / weight.sum()


def test_injection_is_in_register_with_the_pyramid_at_every_scale():
    """A small blob near a corner of a 188x250 image, injected at every k: at scale k - 1 it
    sits where the pyramid the generators learned puts it (within 0.5 px, in pixels of the
    finest scale), and through generators that add nothing it comes out where it went in.
    Resizing by the size ratio instead put it 7 px off at k = 1."""
    schedule = pyramid.make_schedule(188, 250, 25, 250, 0.75)
    image = np.full((188, 250, 3), -1.0, np.float32)
    rows, cols = np.mgrid[0:188, 0:250]
    image[np.hypot(rows - 170, cols - 230) < 4] = 1.0
    model = SinGAN(schedule.ratio, np.zeros([1, *schedule.sizes[0], 1], np.float32))
    for size in schedule.sizes:
        adds_nothing = models.Generator(4, 4).build_at(size)
        for weight in adds_nothing.tail.weights:
            weight.assign(tf.zeros_like(weight))
        model.add_scale(adds_nothing, 0.0, size)
    reals = pyramid.build_pyramid(image, schedule)

    def at_finest(point, n):
        return (point + 0.5) / schedule.scale_of(n) - 0.5

    for k in range(1, schedule.num_scales):
        injected = model.downscale(tf.constant(image[None]), k - 1)[0]
        learned = at_finest(centroid(reals[k - 1][0]), k - 1)
        assert np.abs(at_finest(centroid(injected), k - 1) - learned).max() < 0.5, k
        out = model.generate(model.seeded_noise(0), k, prev=model.injection(image[None], k))[0]
        assert np.abs(centroid(out) - [170, 230]).max() < 0.5, k


def test_noise_padding_draws_the_margin_and_the_generator_reads_it():
    """The official animation training: noise maps 10 px larger, not zero-padded."""
    model = SinGAN(0.8, np.zeros([1, 22, 22, 1], np.float32), noise_padding=5)
    generator = models.Generator(4, 4, noise_padding=True).build_at((12, 12))
    model.add_scale(generator, 1.0, (12, 12))
    assert model.noise_shapes() == [[1, 22, 22, 1]]
    assert model.generate(model.seeded_noise(0)).shape == (1, 12, 12, 3)
    noise = np.zeros([1, 22, 22, 1], np.float32)
    margin_only = noise.copy()
    margin_only[:, :2] = 5.0  # in the margin that zero padding would fill
    prev = tf.zeros([1, 12, 12, 3])
    change = np.abs(generator(margin_only, prev) - generator(noise, prev))[0].max(axis=(1, 2))
    assert np.all(change[:2] > 0) and np.all(change[2:] == 0)  # what an 11 px field reaches


def test_output_size_is_bounded(trained_model):
    from singan_tf.errors import ConfigError
    assert trained_model.output_size(2.0, 0.5) == (64, 16)
    with pytest.raises(ConfigError, match="no pixel"):
        trained_model.output_size(0.01, 1.0)
    with pytest.raises(ConfigError, match="must be positive"):
        trained_model.output_size(-1.0, 1.0)
    assert trained_model.output_size(300.0, 300.0) == (9600, 9600)  # no ceiling: tiles
