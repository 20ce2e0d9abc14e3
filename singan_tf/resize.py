"""MATLAB-style bicubic resize built from plain TF ops.

SinGAN's pyramid and its upsampling between scales use MATLAB's `imresize`:
Keys cubic kernel (a = -0.5), antialiased when shrinking, mirror boundary.
`tf.image.resize` differs and its bicubic/antialiased modes do not convert to
TFLite, so the resize here gathers each output pixel's taps along one axis,
then the other, and adds them weighted in a fixed order. An output pixel
therefore gets the same bits whatever else is computed with it: a window of
the output (`taps(..., out_start, out_stop)`, tiled sampling) equals that
window of the whole.
"""

import math

import tensorflow as tf


def cubic(x):
    """Keys cubic convolution kernel with a = -0.5 (support [-2, 2])."""
    ax = tf.abs(x)
    ax2 = ax * ax
    ax3 = ax2 * ax
    near = 1.5 * ax3 - 2.5 * ax2 + 1.0
    far = -0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0
    return tf.where(ax <= 1.0, near, tf.where(ax <= 2.0, far, tf.zeros_like(ax)))


def tap_count(scale):
    """Taps per output pixel: the kernel's width at this scale, and one more on each side."""
    return math.ceil(4.0 / min(scale, 1.0)) + 2


def taps(in_size, scale, out_start, out_stop):
    """(sources [n, T] int32, weights [n, T]) of output pixels out_start..out_stop-1 of an axis
    of `in_size` resized by `scale`.

    Output pixel o (1-based) samples the input at o / scale + (1 - 1 / scale) / 2.
    When shrinking, the kernel is stretched by 1 / scale (antialiasing). Weights
    are normalised per output pixel; taps outside the image are mirrored back.
    Sizes and ranges may be tensors, so the same code serves dynamic shapes;
    the scale is a Python number unless the tap count may change with it.
    """
    count = tap_count(scale) if isinstance(scale, (int, float)) else tf.cast(
        tf.math.ceil(4.0 / tf.minimum(tf.cast(scale, tf.float32), 1.0)), tf.int32) + 2
    scale = tf.cast(scale, tf.float32)
    kernel_scale = tf.minimum(scale, 1.0)
    width = 4.0 / kernel_scale
    centers = (tf.range(out_start + 1, out_stop + 1, dtype=tf.float32) / scale
               + 0.5 * (1.0 - 1.0 / scale))
    left = tf.floor(centers - width / 2.0)
    positions = left[:, None] + tf.cast(tf.range(count), tf.float32)[None, :] - 1.0
    weights = kernel_scale * cubic(kernel_scale * (centers[:, None] - positions - 1.0))
    totals = tf.reduce_sum(weights, axis=1, keepdims=True)
    weights = weights / tf.where(totals == 0.0, tf.ones_like(totals), totals)
    # Mirror boundary: index sequence 0..n-1, n-1..0, repeated.
    period = 2 * in_size
    wrapped = tf.math.floormod(tf.cast(positions, tf.int32), period)
    return tf.where(wrapped < in_size, wrapped, period - 1 - wrapped), weights


def apply_taps(images, sources, weights, axis, first_source=0):
    """Resizes [B, H, W, C] `images` along `axis` (1 or 2) by (sources, weights) of `taps`,
    the taps added in a fixed order. `images` may be a window of the input that starts at
    index `first_source` along that axis."""
    sources = sources - first_source
    if sources.shape[1] is None:  # a tap count known only at run time (a tensor scale)
        gathered = tf.gather(images, sources, axis=axis)  # the taps' axis after `axis`
        weights = weights[None, :, :, None, None] if axis == 1 else weights[None, None, :, :, None]
        return tf.reduce_sum(gathered * weights, axis=axis + 1)
    shape = [1, -1, 1, 1] if axis == 1 else [1, 1, -1, 1]
    out = None
    for t in range(sources.shape[1]):
        term = tf.gather(images, sources[:, t], axis=axis) * tf.reshape(weights[:, t], shape)
        out = term if out is None else out + term
    return out


def resize(images, size, scale):
    """Resizes [B, H, W, C] images to `size` = (h, w) with kernel scales (sh, sw).

    The kernel is chosen by `scale` and the output size separately, as the
    reference does when it resizes by 1 / r and crops to the next scale's size.
    """
    images = tf.convert_to_tensor(images, tf.float32)
    in_h, in_w = images.shape[1], images.shape[2]
    shape = tf.shape(images)
    rows = taps(shape[1] if in_h is None else in_h, scale[0], 0, size[0])
    cols = taps(shape[2] if in_w is None else in_w, scale[1], 0, size[1])
    return apply_taps(apply_taps(images, *rows, axis=1), *cols, axis=2)
