"""resize.py against an independent, loop-based numpy port of MATLAB's imresize."""

import math

import numpy as np
import pytest
import tensorflow as tf

from singan_tf import resize


def keys_cubic(x):
    x = abs(x)
    if x <= 1:
        return 1.5 * x**3 - 2.5 * x**2 + 1
    if x <= 2:
        return -0.5 * x**3 + 2.5 * x**2 - 4 * x + 2
    return 0.0


def mirror(index, length):
    """MATLAB's symmetric padding for a 0-based index."""
    while index < 0 or index >= length:
        index = -index - 1 if index < 0 else 2 * length - 1 - index
    return index


def reference_axis(values, out_length, scale):
    """Resizes a 1-D signal the way MATLAB imresize does, one output pixel at a time."""
    in_length = len(values)
    stretch = min(scale, 1.0)  # antialiasing only when shrinking
    support = 2.0 / stretch
    out = np.zeros(out_length)
    for o in range(out_length):
        center = (o + 1) / scale + 0.5 * (1 - 1 / scale)  # 1-based input coordinate
        first = math.floor(center - support) - 1
        taps = range(first, math.ceil(center + support) + 2)
        weights = [stretch * keys_cubic(stretch * (center - (j + 1))) for j in taps]
        total = sum(weights)
        out[o] = sum(w * values[mirror(j, in_length)] for w, j in zip(weights, taps)) / total
    return out


def reference_resize(image, size, scale):
    rows = np.stack([reference_axis(image[:, x], size[0], scale[0]) for x in range(image.shape[1])], 1)
    return np.stack([reference_axis(rows[y], size[1], scale[1]) for y in range(size[0])], 0)


@pytest.mark.parametrize("in_size, scale", [
    ((13, 17), (0.75, 0.75)),  # pyramid step down
    ((13, 17), (0.4, 0.4)),  # strong shrink: wide antialiased kernel
    ((20, 9), (1 / 0.75, 1 / 0.75)),  # upsampling between scales
    ((7, 11), (2.0, 0.5)),  # different factors per axis
])
def test_matches_matlab_reference(in_size, scale):
    rng = np.random.default_rng(0)
    image = rng.uniform(-1, 1, size=(*in_size, 2))
    size = tuple(math.ceil(s * f) for s, f in zip(in_size, scale))
    got = resize.resize(image[None], size, scale)[0].numpy()
    want = np.stack([reference_resize(image[..., c], size, scale) for c in range(2)], -1)
    assert got.shape == (*size, 2)
    np.testing.assert_allclose(got, want, atol=2e-5)


def test_output_size_may_differ_from_the_scale_crop_like_the_reference():
    """Upsampling by 1/r then cropping equals the first rows/cols of the full resize."""
    image = np.random.default_rng(1).uniform(-1, 1, size=(1, 10, 12, 3)).astype(np.float32)
    scale = (1 / 0.8, 1 / 0.8)
    full = resize.resize(image, (13, 15), scale).numpy()
    cropped = resize.resize(image, (12, 14), scale).numpy()
    np.testing.assert_allclose(cropped, full[:, :12, :14], atol=1e-6)


def test_scale_one_is_identity():
    image = np.random.default_rng(2).uniform(-1, 1, size=(2, 9, 8, 3)).astype(np.float32)
    np.testing.assert_allclose(resize.resize(image, (9, 8), (1.0, 1.0)).numpy(), image, atol=1e-6)


def test_weights_sum_to_one_so_flat_images_stay_flat():
    _, weights = resize.taps(40, 0.56, 0, 23)
    np.testing.assert_allclose(weights.numpy().sum(axis=1), 1.0, atol=1e-6)
    flat = np.full((1, 40, 31, 3), 0.3, np.float32)
    np.testing.assert_allclose(resize.resize(flat, (23, 18), (0.56, 0.56)).numpy(), 0.3, atol=1e-6)


def test_dynamic_shapes_in_a_compiled_function():
    """The matrices are built from tensors, so one trace serves every size (serving, TFLite)."""

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3]), tf.TensorSpec([2], tf.int32)])
    def upsample(images, size):
        return resize.resize(images, size, (1.25, 1.25))

    for shape in [(1, 8, 10, 3), (2, 11, 7, 3)]:
        image = np.random.default_rng(3).uniform(-1, 1, size=shape).astype(np.float32)
        size = [math.ceil(shape[1] * 1.25), math.ceil(shape[2] * 1.25)]
        np.testing.assert_allclose(upsample(image, size).numpy(),
                                   resize.resize(image, size, (1.25, 1.25)).numpy(), atol=1e-5)
    assert upsample.experimental_get_tracing_count() == 1


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(in_h=st.integers(1, 40), in_w=st.integers(1, 40), scale=st.floats(0.2, 3.0),
       value=st.floats(-1, 1))
def test_resize_properties(in_h, in_w, scale, value):
    """Output size is ceil(in * scale), never zero; flat images stay flat; rows are weights."""
    size = (max(1, math.ceil(in_h * scale)), max(1, math.ceil(in_w * scale)))
    flat = np.full((1, in_h, in_w, 3), value, np.float32)
    out = resize.resize(flat, size, (scale, scale)).numpy()
    assert out.shape == (1, *size, 3)
    np.testing.assert_allclose(out, value, atol=1e-5)
    sources, weights = resize.taps(in_h, scale, 0, size[0])
    assert sources.shape == weights.shape == (size[0], resize.tap_count(scale))
    assert 0 <= sources.numpy().min() and sources.numpy().max() < in_h
    np.testing.assert_allclose(weights.numpy().sum(axis=1), 1.0, atol=1e-5)


def test_a_window_of_the_output_is_that_window_of_the_whole_bit_for_bit():
    """What tiled sampling rests on: the taps of output rows 37..100, applied to the input
    rows they read, give exactly those rows of the whole resize."""
    image = tf.random.normal([1, 240, 336, 3], seed=7)
    scale = 1 / 0.8
    whole = resize.resize(image, (300, 420), (scale, scale)).numpy()
    sources, weights = resize.taps(240, scale, 37, 101)
    first, last = int(tf.reduce_min(sources)), int(tf.reduce_max(sources)) + 1
    rows = resize.apply_taps(image[:, first:last], sources, weights, axis=1, first_source=first)
    cols = resize.taps(336, scale, 0, 420)
    np.testing.assert_array_equal(resize.apply_taps(rows, *cols, axis=2).numpy(),
                                  whole[:, 37:101])


def test_a_scale_known_only_at_run_time():
    @tf.function(input_signature=[tf.TensorSpec([1, None, None, 3]), tf.TensorSpec([], tf.float32)])
    def by(images, factor):
        size = tf.cast(tf.round(tf.cast(tf.shape(images)[1:3], tf.float32) * factor), tf.int32)
        return resize.resize(images, size, (factor, factor))

    image = np.random.default_rng(4).uniform(-1, 1, size=(1, 10, 14, 3)).astype(np.float32)
    np.testing.assert_allclose(by(image, tf.constant(0.6)).numpy(),
                               resize.resize(image, (6, 8), (0.6, 0.6)).numpy(), atol=1e-5)
