"""The scale schedule must match the official formula exactly."""

import numpy as np
import pytest

from singan_tf import pyramid
from singan_tf.errors import ConfigError


@pytest.mark.parametrize("height, width, num_scales, ratio", [
    (188, 250, 10, 0.799),
    (250, 250, 11, 0.794),
    (480, 640, 9, 0.777),
    (1000, 1500, 8, 0.762),
])
def test_worked_examples(height, width, num_scales, ratio):
    schedule = pyramid.make_schedule(height, width, min_size=25, max_size=250, scale_factor=0.75)
    assert schedule.num_scales == num_scales
    assert schedule.ratio == pytest.approx(ratio, abs=5e-4)
    assert max(schedule.sizes[-1]) == 250
    assert min(schedule.sizes[0]) in (25, 26)  # ceil() of a float product, as the official code


def test_sizes_match_the_official_code_at_max_size_128():
    """colusseum.png (188x250) at max_size 128: the sizes the official PyTorch code trains."""
    schedule = pyramid.make_schedule(188, 250, min_size=25, max_size=128, scale_factor=0.75)
    assert schedule.sizes == ((26, 33), (32, 42), (40, 52), (50, 65), (62, 82), (78, 103), (97, 128))


def test_sizes_grow_monotonically_and_finest_fits_max_size():
    for height, width in [(300, 200), (1024, 768), (100, 700), (500, 60)]:
        schedule = pyramid.make_schedule(height, width, min_size=25, max_size=250, scale_factor=0.75)
        heights, widths = zip(*schedule.sizes)
        assert list(heights) == sorted(heights) and list(widths) == sorted(widths)
        assert max(schedule.sizes[-1]) <= 250
        assert min(schedule.sizes[0]) >= 25


def test_small_images_are_not_enlarged():
    schedule = pyramid.make_schedule(120, 160, min_size=25, max_size=250, scale_factor=0.75)
    assert schedule.image_scale == 1.0
    assert schedule.sizes[-1] == (120, 160)


@pytest.mark.parametrize("height, width, min_size, max_size", [
    (20, 40, 25, 250),  # below min_size
    (25, 25, 25, 250),  # exactly min_size: a single scale
    (60, 700, 25, 250),  # shorter side falls below min_size once fitted to max_size
    (100, 100, 25, 20),  # max_size below min_size
])
def test_impossible_sizes_raise_config_error(height, width, min_size, max_size):
    with pytest.raises(ConfigError):
        pyramid.make_schedule(height, width, min_size, max_size, 0.75)


def test_build_pyramid_shapes_and_content(tiny_image):
    schedule = pyramid.make_schedule(32, 32, min_size=20, max_size=32, scale_factor=0.75)
    reals = pyramid.build_pyramid(tiny_image, schedule)
    assert [tuple(r.shape) for r in reals] == [(1, h, w, 3) for h, w in schedule.sizes]
    np.testing.assert_allclose(reals[-1][0].numpy(), tiny_image, atol=1e-5)
    # Downscaling keeps the mean colour.
    np.testing.assert_allclose(reals[0].numpy().mean(axis=(0, 1, 2)),
                               tiny_image.mean(axis=(0, 1)), atol=0.05)


def test_large_image_is_shrunk_to_max_size():
    image = np.zeros((300, 400, 3), np.float32)
    schedule = pyramid.make_schedule(300, 400, min_size=25, max_size=100, scale_factor=0.75)
    reals = pyramid.build_pyramid(image, schedule)
    assert tuple(reals[-1].shape) == (1, 75, 100, 3)


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(height=st.integers(1, 5000), width=st.integers(1, 5000), min_size=st.integers(11, 60),
       max_size=st.integers(11, 1200), scale_factor=st.floats(0.3, 0.95))
def test_schedule_properties(height, width, min_size, max_size, scale_factor):
    """Any schedule that is accepted has sizes within bounds, never zero, growing to the finest."""
    try:
        schedule = pyramid.make_schedule(height, width, min_size, max_size, scale_factor)
    except ConfigError:
        fitted = min(height, width) * min(max_size / max(height, width), 1.0)
        assert min(height, width) < min_size or max_size < min_size or fitted <= min_size + 1
        return
    heights, widths = zip(*schedule.sizes)
    assert schedule.num_scales >= 2
    assert min(heights + widths) >= min(min_size, 1) and min(heights + widths) > 0
    assert min(schedule.sizes[0]) >= min_size
    assert list(heights) == sorted(heights) and list(widths) == sorted(widths)
    # ceil() of a float product, as in the official code, can overshoot max_size by one pixel.
    assert max(schedule.sizes[-1]) <= max_size + 1 and max(schedule.sizes[-1]) <= max(height, width)
    assert 0 < schedule.ratio < 1
