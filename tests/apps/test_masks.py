"""Mask dilation, blur and blending: pixels beyond the blur's reach stay exactly real."""

import numpy as np

from singan_tf.apps import masks


def test_dilation_is_a_disk():
    point = np.zeros((21, 21), np.float32)
    point[10, 10] = 1
    dilated = masks.dilate(point, 3)
    yy, xx = np.mgrid[-10:11, -10:11]
    np.testing.assert_array_equal(dilated, (xx ** 2 + yy ** 2 <= 9).astype(np.float32))


def test_blur_keeps_mass_and_reach():
    point = np.zeros((41, 41), np.float32)
    point[20, 20] = 1
    blurred = masks.blur(point, 2.0)
    assert abs(blurred.sum() - 1) < 1e-5
    assert blurred[20, 12] > 0 and blurred[20, 11] == 0  # truncated at 4 sigma = 8 px


def test_soft_mask_is_one_on_the_mask_and_zero_beyond_its_reach():
    mask = np.zeros((40, 40), np.float32)
    mask[5:10, 5:10] = 1
    weight = masks.soft_mask(mask, radius=2, sigma=1.0)
    assert weight.max() == 1.0 and weight.min() == 0.0
    assert np.all(weight[6:9, 6:9] > 0.95)
    assert not weight[16:, :].any() and not weight[:, 16:].any()  # 9 + 2 + 4 < 16


def test_blend_keeps_real_where_weight_is_zero():
    real = np.random.default_rng(0).uniform(-1, 1, (8, 8, 3)).astype(np.float32)
    generated = -real
    weight = np.zeros((8, 8), np.float32)
    weight[:4] = 1
    out = masks.blend(real, generated, weight)
    np.testing.assert_array_equal(out[4:], real[4:])
    np.testing.assert_array_equal(out[:4], generated[:4])
