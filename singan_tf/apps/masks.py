"""Soft masks for harmonization and editing: dilate, blur, blend, as the reference.

The reference dilates the binary mask by a disk (radius 7 px for
harmonization, 20 for editing), blurs it with a Gaussian (sigma 5, truncated
at 4 sigma like skimage) and stretches it to [0, 1]; the output is
(1 - m) * real + m * generated, so pixels beyond the blur's reach stay real.
"""

import numpy as np
import tensorflow as tf


def dilate(mask, radius):
    """Binary [H, W] mask dilated by a disk of `radius` pixels (grey dilation)."""
    yy, xx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    disk = np.where(xx ** 2 + yy ** 2 <= radius ** 2, 0.0, -1.0).astype(np.float32)
    dilated = tf.nn.dilation2d(tf.constant(mask, tf.float32)[None, :, :, None], disk[..., None],
                               strides=[1, 1, 1, 1], padding="SAME", data_format="NHWC",
                               dilations=[1, 1, 1, 1])
    return dilated[0, :, :, 0].numpy()


def blur(mask, sigma):
    """[H, W] mask blurred by a Gaussian truncated at 4 sigma, edge pixels repeated."""
    radius = int(4.0 * sigma + 0.5)
    if radius == 0:
        return np.asarray(mask, np.float32)
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    kernel = np.outer(taps, taps) / taps.sum() ** 2
    padded = np.pad(np.asarray(mask, np.float32), radius, mode="edge")  # skimage's "nearest"
    blurred = tf.nn.conv2d(padded[None, :, :, None], kernel[:, :, None, None].astype(np.float32),
                           1, "VALID")
    return blurred[0, :, :, 0].numpy()


def soft_mask(mask, radius, sigma):
    """The blend weight in [0, 1]: `mask` dilated, blurred and stretched to the full range."""
    weight = blur(dilate(mask, radius), sigma)
    low, high = weight.min(), weight.max()
    return (weight - low) / (high - low) if high > low else weight


def blend(real, generated, weight):
    """(1 - weight) * real + weight * generated, for [H, W, 3] images and an [H, W] weight."""
    weight = np.asarray(weight, np.float32)[..., None]
    real, generated = np.asarray(real, np.float32), np.asarray(generated, np.float32)
    return (1.0 - weight) * real + weight * generated
