"""Generator and critic: the reference architecture, shapes and initialisation."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from singan_tf import models


def test_channels_double_every_four_scales_up_to_128():
    widths = [models.scale_channels(n, 32, 32)[0] for n in range(14)]
    assert widths == [32] * 4 + [64] * 4 + [128] * 6
    assert models.scale_channels(5, 32, 16) == (64, 32)
    assert models.scale_channels(9, 32, 32, max_nfc=64) == (64, 64)


def test_body_blocks_halve_but_never_below_min_nfc():
    assert models.layer_channels(32, 32, 5) == [32, 32, 32, 32]
    assert models.layer_channels(128, 16, 5) == [128, 64, 32, 16]
    assert models.layer_channels(64, 32, 3) == [64, 32]


def test_generator_keeps_size_and_adds_to_prev():
    generator = models.Generator(32, 32)
    noisy = tf.random.normal([2, 21, 27, 3])
    prev = tf.random.normal([2, 21, 27, 3])
    out = generator(noisy, prev)
    assert out.shape == (2, 21, 27, 3)
    detail = (out - prev).numpy()
    assert np.all(np.abs(detail) < 1.0)  # tanh residual
    assert np.abs(detail).max() > 0


def test_critic_scores_every_11x11_patch():
    critic = models.Discriminator(32, 32)
    scores = critic(tf.zeros([1, 25, 33, 3]))
    assert scores.shape == (1, 15, 23, 1)
    assert critic.shrink == 5


def test_receptive_field_is_11_pixels():
    """Changing one input pixel changes only the scores of patches that contain it."""
    critic = models.Discriminator(32, 32)
    base = tf.random.normal([1, 30, 30, 3], seed=1)
    bumped = tf.tensor_scatter_nd_add(base, [[0, 15, 15, 0]], [5.0])
    changed = np.abs((critic(bumped) - critic(base)).numpy()[0, ..., 0]) > 1e-6
    rows, cols = np.nonzero(changed)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (5, 15, 5, 15)


def test_official_initialisation():
    generator = models.Generator(128, 128)
    generator(tf.zeros([1, 12, 12, 3]), tf.zeros([1, 12, 12, 3]))
    kernels = np.concatenate([w.numpy().ravel() for w in generator.weights
                              if w.path.endswith("kernel")])
    gammas = np.concatenate([w.numpy().ravel() for w in generator.weights
                             if w.path.endswith("gamma")])
    assert kernels.std() == pytest.approx(0.02, rel=0.05) and abs(kernels.mean()) < 1e-3
    assert gammas.mean() == pytest.approx(1.0, abs=0.01)
    assert gammas.std() == pytest.approx(0.02, rel=0.2)


def test_layers_of_the_same_shape_start_different_and_seeds_reproduce():
    def body_kernels(seed):
        keras.utils.set_random_seed(seed)
        critic = models.Discriminator(32, 32)
        critic(tf.zeros([1, 16, 16, 3]))
        return [w.numpy() for w in critic.weights if w.path.endswith("kernel")][1:4]

    first = body_kernels(1)
    assert not np.array_equal(first[0], first[1])
    assert all(np.array_equal(a, b) for a, b in zip(first, body_kernels(1)))
    assert not np.array_equal(first[0], body_kernels(2)[0])


def test_batchnorm_uses_batch_statistics_only_in_training():
    generator = models.Generator(32, 32)
    x = tf.random.normal([1, 16, 16, 3], seed=2)
    before = [w.numpy() for w in generator.weights if "moving_mean" in w.path] if generator.weights else []
    generator(x, x, training=False)
    moving = [w for w in generator.weights if "moving_mean" in w.path]
    frozen = [w.numpy().copy() for w in moving]
    generator(x, x, training=True)
    assert any(not np.allclose(a, w.numpy()) for a, w in zip(frozen, moving))
    assert before == []
