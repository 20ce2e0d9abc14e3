"""MATLAB-style bicubic resize built from plain TF ops.

SinGAN's pyramid and its upsampling between scales use MATLAB's `imresize`:
Keys cubic kernel (a = -0.5), antialiased when shrinking, mirror boundary.
`tf.image.resize` differs and its bicubic/antialiased modes do not convert to
TFLite, so the resize here is two matrix products with weight matrices built
by `scatter_nd`; with static shapes TF folds the matrices into constants.
"""

import tensorflow as tf


def cubic(x):
    """Keys cubic convolution kernel with a = -0.5 (support [-2, 2])."""
    ax = tf.abs(x)
    ax2 = ax * ax
    ax3 = ax2 * ax
    near = 1.5 * ax3 - 2.5 * ax2 + 1.0
    far = -0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0
    return tf.where(ax <= 1.0, near, tf.where(ax <= 2.0, far, tf.zeros_like(ax)))


def resize_matrix(in_size, out_size, scale):
    """The [out_size, in_size] matrix that resizes one axis by `scale`.

    Output pixel o (1-based) samples the input at o / scale + (1 - 1 / scale) / 2.
    When shrinking, the kernel is stretched by 1 / scale (antialiasing). Weights
    are normalised per output pixel; taps outside the image are mirrored back.
    Sizes may be tensors, so the same code serves dynamic shapes.
    """
    scale = tf.cast(scale, tf.float32)
    kernel_scale = tf.minimum(scale, 1.0)
    width = 4.0 / kernel_scale
    centers = tf.range(1, out_size + 1, dtype=tf.float32) / scale + 0.5 * (1.0 - 1.0 / scale)
    left = tf.floor(centers - width / 2.0)
    taps = tf.cast(tf.math.ceil(width), tf.int32) + 2
    positions = left[:, None] + tf.cast(tf.range(taps), tf.float32)[None, :] - 1.0
    weights = kernel_scale * cubic(kernel_scale * (centers[:, None] - positions - 1.0))
    totals = tf.reduce_sum(weights, axis=1, keepdims=True)
    weights = weights / tf.where(totals == 0.0, tf.ones_like(totals), totals)

    # Mirror boundary: index sequence 0..n-1, n-1..0, repeated.
    period = 2 * in_size
    wrapped = tf.math.floormod(tf.cast(positions, tf.int32), period)
    sources = tf.where(wrapped < in_size, wrapped, period - 1 - wrapped)
    rows = tf.broadcast_to(tf.range(out_size)[:, None], tf.shape(sources))
    indices = tf.stack([tf.reshape(rows, [-1]), tf.reshape(sources, [-1])], axis=1)
    return tf.scatter_nd(indices, tf.reshape(weights, [-1]), tf.stack([out_size, in_size]))


def resize(images, size, scale):
    """Resizes [B, H, W, C] images to `size` = (h, w) with kernel scales (sh, sw).

    The kernel is chosen by `scale` and the output size separately, as the
    reference does when it resizes by 1 / r and crops to the next scale's size.
    """
    images = tf.convert_to_tensor(images, tf.float32)
    shape = tf.shape(images)
    batch, in_h, in_w, channels = shape[0], shape[1], shape[2], shape[3]
    out_h, out_w = size[0], size[1]
    rows = resize_matrix(in_h, out_h, scale[0])  # [out_h, H]
    cols = resize_matrix(in_w, out_w, scale[1])  # [out_w, W]

    x = tf.reshape(images, tf.stack([batch, in_h, in_w * channels]))
    x = tf.matmul(tf.broadcast_to(rows, tf.stack([batch, out_h, in_h])), x)
    x = tf.reshape(x, tf.stack([batch, out_h, in_w, channels]))
    x = tf.reshape(tf.transpose(x, [0, 2, 1, 3]), tf.stack([batch, in_w, out_h * channels]))
    x = tf.matmul(tf.broadcast_to(cols, tf.stack([batch, out_w, in_w])), x)
    x = tf.reshape(x, tf.stack([batch, out_w, out_h, channels]))
    return tf.transpose(x, [0, 2, 1, 3])

