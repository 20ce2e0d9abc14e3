"""PSNR and SSIM against a reference, on the 8-bit scale."""

import numpy as np
import pytest

from conftest import discs
from singan_tf.errors import ImageError
from singan_tf.metrics import fidelity as metrics


def test_psnr_ssim():
    image = discs() * 0.5
    psnr, ssim = metrics.psnr_ssim(image, image + 0.1)  # MSE 0.01 on a peak-to-peak of 2
    assert psnr == pytest.approx(10 * np.log10(4 / 0.01), abs=1e-3)
    assert metrics.psnr_ssim(image, image)[1] == pytest.approx(1.0)
    noisy = image + 0.2 * np.random.default_rng(4).standard_normal(image.shape)
    assert metrics.psnr_ssim(image, noisy)[1] < 0.9
    with pytest.raises(ImageError, match="different sizes: 188x250 and 100x250"):
        metrics.psnr_ssim(image, image[:100])
