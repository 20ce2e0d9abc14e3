"""WGAN-GP losses; the penalty is checked against critics with closed-form input gradients."""

import numpy as np
import pytest
import tensorflow as tf

from singan_tf import losses, models


def test_critic_and_adversarial_losses():
    real, fake = tf.constant([[1.0, 3.0]]), tf.constant([[-2.0, 0.0]])
    assert float(losses.critic_loss(real, fake)) == pytest.approx(-1.0 - 2.0)
    assert float(losses.adversarial_loss(fake)) == pytest.approx(1.0)


def test_penalty_of_a_linear_critic_is_independent_of_the_mix():
    """D(x)[p] = w . x[p]: the input gradient is w at every pixel, so GP = (|w| - 1)^2."""
    w = np.array([0.5, -1.0, 2.0], np.float32)
    critic = lambda x: tf.reduce_sum(x * w, axis=-1)  # noqa: E731
    rng = np.random.default_rng(0)
    real, fake = (rng.normal(size=(1, 6, 7, 3)).astype(np.float32) for _ in range(2))
    for mix in (0.0, 0.3, 1.0):
        penalty = losses.gradient_penalty(critic, real, fake, mix)
        assert float(penalty) == pytest.approx((np.linalg.norm(w) - 1) ** 2, rel=1e-5)


def test_penalty_norm_is_per_pixel_over_channels():
    """D(x) = sum of x^2 / 2: the gradient at a pixel is x_hat there, its norm the channel norm."""
    critic = lambda x: 0.5 * tf.reduce_sum(tf.square(x), axis=-1)  # noqa: E731
    rng = np.random.default_rng(1)
    real, fake = (rng.normal(size=(1, 5, 4, 3)).astype(np.float32) for _ in range(2))
    mix = 0.25
    x_hat = mix * real + (1 - mix) * fake
    want = np.mean((np.linalg.norm(x_hat, axis=-1) - 1) ** 2)
    whole_image = (np.linalg.norm(x_hat) - 1) ** 2  # what a per-image norm would give
    got = float(losses.gradient_penalty(critic, real, fake, mix))
    assert got == pytest.approx(want, rel=1e-5)
    assert abs(got - whole_image) > 1.0


def test_penalty_has_finite_second_order_gradients():
    critic = models.Discriminator(32, 32)
    real = tf.random.normal([1, 16, 16, 3], seed=3)
    fake = tf.random.normal([1, 16, 16, 3], seed=4)
    critic(real)
    with tf.GradientTape() as tape:
        penalty = losses.gradient_penalty(lambda x: critic(x, training=True), real, fake, 0.5)
    grads = dict(zip([v.path for v in critic.trainable_variables],
                     tape.gradient(penalty, critic.trainable_variables)))
    kernels = [g for path, g in grads.items() if path.endswith("kernel")]
    assert len(kernels) == 5 and all(np.abs(g.numpy()).max() > 0 for g in kernels)
    # The tail bias shifts every score equally, so it cannot change the input gradient.
    assert [g for path, g in grads.items() if path.endswith("tail/bias")] == [None]
    assert all(np.all(np.isfinite(g.numpy())) for g in grads.values() if g is not None)


def test_reconstruction_loss_is_mse():
    a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert float(losses.reconstruction_loss(a, tf.zeros_like(a))) == pytest.approx(7.5)
