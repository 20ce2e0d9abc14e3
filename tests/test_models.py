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


def _conv_bn_critic(batchnorm):
    """conv -> batch norm -> LeakyReLU -> conv, as one block of the critic."""
    critic = keras.Sequential([keras.layers.Conv2D(8, 3), batchnorm,
                               keras.layers.LeakyReLU(negative_slope=0.2),
                               keras.layers.Conv2D(1, 3)])
    critic(tf.zeros([1, 20, 24, 4]))
    return critic


def test_training_batchnorm_matches_keras_forward_and_moving_statistics():
    ours = _conv_bn_critic(models.BatchNormalization(momentum=0.9, epsilon=1e-5))
    keras_bn = _conv_bn_critic(keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5))
    keras_bn.set_weights(ours.get_weights())
    x = tf.random.normal([1, 20, 24, 4], seed=3) * 2 + 1
    np.testing.assert_allclose(ours(x, training=True), keras_bn(x, training=True), atol=1e-5)
    for a, b in zip(ours.weights, keras_bn.weights):  # moving mean and (biased) variance
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours(x), keras_bn(x), atol=1e-5)  # inference
    assert ours.layers[1].name.startswith("batch_normalization")  # the weight files' layout


def _penalty_gradients(critic_fn, variables, x):
    """d/dweights of the WGAN-GP penalty: a second derivative through the critic."""
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            inner.watch(x)
            scores = critic_fn(x)
        grads = inner.gradient(scores, x)
        penalty = tf.reduce_mean(tf.square(tf.norm(grads, axis=-1) - 1.0))
    return outer.gradient(penalty, variables)


def test_gradient_penalty_is_exact_through_training_batchnorm():
    """Keras' own layer stops the gradient at the batch mean inside the variance, which
    leaves this second derivative about 9 % off for the convolution below it."""
    critic = _conv_bn_critic(models.BatchNormalization(epsilon=1e-5))
    conv, bn, _, tail = critic.layers
    x = tf.random.normal([1, 20, 24, 4], seed=4) * 3 + 1

    def exact(params, x):  # float64, the variance differentiated through its mean
        kernel, bias, gamma, beta, tail_kernel, tail_bias = params
        h = tf.nn.conv2d(x, kernel, 1, "VALID") + bias
        mean = tf.reduce_mean(h, [0, 1, 2])
        variance = tf.reduce_mean(tf.square(h - mean), [0, 1, 2])
        h = (h - mean) / tf.sqrt(variance + 1e-5) * gamma + beta
        return tf.nn.conv2d(tf.nn.leaky_relu(h, 0.2), tail_kernel, 1, "VALID") + tail_bias

    weights = [conv.kernel, conv.bias, bn.gamma, bn.beta, tail.kernel, tail.bias]
    params = [tf.Variable(tf.cast(w, tf.float64)) for w in weights]
    want = _penalty_gradients(lambda x: exact(params, x), params, tf.cast(x, tf.float64))
    got = _penalty_gradients(lambda x: critic(x, training=True), weights, x)
    kernel_scale = float(tf.reduce_max(tf.abs(want[0])))
    np.testing.assert_allclose(got[0], want[0], atol=1e-3 * kernel_scale)
    np.testing.assert_allclose(got[4], want[4], rtol=1e-3, atol=1e-6)
    assert float(tf.reduce_max(tf.abs(got[1]))) < 1e-5  # a bias under batch norm has no effect


# Facts of the method, pinned: each test fails when its fact is changed.

def test_blocks_use_leaky_relu_with_slope_0_2():
    block = models.conv_block(4, 3, "block")
    activation = block.layers[2]
    np.testing.assert_allclose(activation(tf.constant([-1.0, 0.0, 2.0])), [-0.2, 0.0, 2.0])


def test_generator_input_is_zero_padded_by_5_px():
    """A constant image with no noise: zero padding makes the 5 px border differ from the
    inside, which sees no padding; reflect padding would leave it all constant."""
    generator = models.Generator(8, 8).build_at((20, 20))
    prev = tf.fill([1, 20, 20, 3], 0.5)
    detail = (generator(tf.zeros_like(prev), prev) - prev).numpy()[0, ..., 0]
    inside = detail[5:-5, 5:-5]
    np.testing.assert_allclose(inside, inside[0, 0], atol=1e-6)
    for border in (detail[4, 5:-5], detail[-5, 5:-5], detail[5:-5, 4], detail[5:-5, -5]):
        assert np.abs(border - inside[0, 0]).min() > 1e-7


def test_generator_tail_is_tanh_added_to_prev():
    generator = models.Generator(8, 8).build_at((12, 12))
    prev = tf.random.normal([1, 12, 12, 3], seed=5)
    kernel, bias = generator.tail.weights
    kernel.assign(tf.zeros_like(kernel))
    for value, residual in [(0.0, 0.0), (10.0, 1.0), (-10.0, -1.0)]:  # tanh(0) = 0, not 0.5
        bias.assign(tf.fill(bias.shape, value))
        np.testing.assert_allclose(generator(tf.zeros_like(prev), prev) - prev, residual,
                                   atol=1e-5)


def test_critic_scores_have_no_activation():
    critic = models.Discriminator(8, 8).build_at((16, 16))
    images = tf.random.normal([1, 16, 16, 3], seed=6)
    bias = critic.tail.weights[1]
    for value in (5.0, -5.0):  # a sigmoid, tanh or ReLU would bound them
        bias.assign(tf.fill(bias.shape, value))
        np.testing.assert_allclose(critic(images), value, atol=0.5)
