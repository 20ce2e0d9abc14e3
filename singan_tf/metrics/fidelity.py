"""Pixel fidelity against a reference image (super-resolution): PSNR and SSIM."""

import numpy as np
import tensorflow as tf

from singan_tf.errors import ImageError


def psnr_ssim(a, b):
    """(PSNR in dB, SSIM) between two images of the same size in [-1, 1].

    The peak-to-peak value is 2, so both equal what 8-bit tools report on [0, 255].
    """
    if np.shape(a) != np.shape(b):
        raise ImageError(f"cannot compare images of different sizes: "
                         f"{np.shape(a)[0]}x{np.shape(a)[1]} and {np.shape(b)[0]}x{np.shape(b)[1]}")
    a, b = tf.convert_to_tensor(a, tf.float32), tf.convert_to_tensor(b, tf.float32)
    return float(tf.image.psnr(a, b, max_val=2.0)), float(tf.image.ssim(a, b, max_val=2.0))
