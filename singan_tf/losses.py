"""WGAN-GP and reconstruction losses, as SinGAN defines them."""

import tensorflow as tf


def critic_loss(scores_real, scores_fake):
    """The critic's Wasserstein loss: -mean D(real) + mean D(fake)."""
    return tf.reduce_mean(scores_fake) - tf.reduce_mean(scores_real)


def adversarial_loss(scores_fake):
    """The generator's Wasserstein loss: -mean D(fake)."""
    return -tf.reduce_mean(scores_fake)


def gradient_penalty(critic, real, fake, mix):
    """mean over pixels of (||grad_x D(x_hat)|| - 1)^2, x_hat = mix*real + (1-mix)*fake.

    The norm is taken per pixel over the channel axis (as the official code
    does), not over the whole image. `mix` is one scalar in [0, 1].
    """
    interpolated = tf.convert_to_tensor(mix * real + (1.0 - mix) * fake, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(interpolated)
        scores = critic(interpolated)
    grads = tape.gradient(scores, interpolated)
    # The epsilon keeps the gradient of the norm finite where grads vanish.
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=-1) + 1e-12)
    return tf.reduce_mean(tf.square(norms - 1.0))


def reconstruction_loss(reconstruction, real):
    """Mean squared error over all pixels and channels."""
    return tf.reduce_mean(tf.square(reconstruction - real))
