"""Injection through a mask (harmonization, editing): the blend keeps the real image beyond
its reach, and the generated image follows what was injected."""

import numpy as np

from conftest import pasted_square
from singan_tf.apps import injection


def test_pixels_beyond_the_blurred_mask_are_the_real_image(trained_model, tiny_image):
    naive, mask = pasted_square(tiny_image)
    out, raw = injection.inject_and_blend(trained_model, tiny_image, naive, mask, start_scale=2,
                                          seed=0, radius=2, sigma=1.0)
    assert out.shape == raw.shape == (32, 32, 3)
    far = np.ones((32, 32), bool)
    far[:2 + 6 + 2 + 4, :2 + 6 + 2 + 4] = False  # mask + radius + 4 sigma
    np.testing.assert_array_equal(out[far], tiny_image[far])
    np.testing.assert_allclose(out[3:7, 3:7], raw[3:7, 3:7], atol=2e-3)  # blend weight ~1
    assert np.abs(out[3:7, 3:7] - tiny_image[3:7, 3:7]).mean() > 0.05


def test_the_generated_image_follows_the_injected_one(trained_model, tiny_image):
    """Injected from scale 2, the square's colour survives in the raw output, where a
    sample injected from the real image keeps the real colours there."""
    naive, mask = pasted_square(tiny_image)
    _, raw = injection.inject_and_blend(trained_model, tiny_image, naive, mask, 2, 0, 2, 1.0)
    _, plain = injection.inject_and_blend(trained_model, tiny_image, tiny_image, mask, 2, 0, 2,
                                          1.0)
    inside = mask > 0
    to_paste = np.abs(raw[inside] - naive[inside]).mean()
    assert to_paste < np.abs(plain[inside] - naive[inside]).mean()
    assert np.abs(raw[~inside] - plain[~inside]).mean() < to_paste
