"""Tiled sampling: the same image as sampling it whole, however it is tiled, to float32 rounding.

Bit for bit where the convolution kernels sum in an order that does not depend on the input's
extent (oneDNN on AVX-512); TensorFlow's Eigen kernels and oneDNN's AVX2 kernels block their sums
by size, so a tile's pixels may differ from the whole image's by a few ulps. A wrong halo, noise
window or resize tap differs by orders of magnitude more.
"""

import json
import os

import numpy as np
import pytest
import tensorflow as tf

from conftest import read_png
from singan_tf import models, tiled
from singan_tf.apps import sampling
from singan_tf.io import images
from singan_tf.singan import SinGAN


def assert_same_image(got, whole):
    """Equal to float32 rounding: a few ulps of values in [-1, 1], or one uint8 level."""
    if whole.dtype == np.uint8:
        assert np.abs(got.astype(int) - whole.astype(int)).max() <= 1
        assert np.mean(got != whole) < 1e-3
    else:
        np.testing.assert_allclose(got, whole, rtol=0, atol=1e-6)


def tiled_image(model, tile, **kwargs):
    """The finest output of tiled.generate, assembled in memory."""
    h, w = model.output_size(kwargs.get("scale_h", 1.0), kwargs.get("scale_w", 1.0))
    out = np.full([h, w, 3], np.nan, np.float32)

    def write(y0, x0, block):
        assert np.isnan(out[y0:y0 + block.shape[0], x0:x0 + block.shape[1]]).all()  # once each
        out[y0:y0 + block.shape[0], x0:x0 + block.shape[1]] = block

    tiled.generate(model, write, tile=tile, **kwargs)
    return out


@pytest.mark.parametrize("tile, scale_h, scale_w", [
    (3, 1.0, 1.0),     # tiles smaller than the 5 px halo
    (7, 1.0, 1.0),     # 32 px is no multiple of 7
    (16, 2.0, 3.0),
    (50, 1.5, 0.7),    # an odd aspect ratio, one tile along the width
])
def test_tiled_equals_whole(trained_model, tile, scale_h, scale_w):
    whole = sampling.sampler(trained_model, 0, scale_h, scale_w)(4)
    got = tiled_image(trained_model, tile, seed=4, scale_h=scale_h, scale_w=scale_w)
    assert_same_image(got, whole)


def test_tiled_from_a_start_scale_keeps_the_reconstruction_below(trained_model):
    whole = sampling.sampler(trained_model, start_scale=2)(6)
    assert_same_image(tiled_image(trained_model, 9, seed=6, start_scale=2), whole)


def test_tiled_injection_equals_whole(trained_model, tiny_image):
    """The injection path (super-resolution of a large image takes it): the image below the
    start scale, refined tile by tile."""
    below = trained_model.downscale(tf.constant(tiny_image[None]), 1)
    prev = trained_model.upsample(below, trained_model.sizes[2])
    whole = trained_model.generate(trained_model.seeded_noise(3), 2, prev=prev)[0].numpy()
    got = tiled_image(trained_model, 10, seed=3, start_scale=2, below=below[0].numpy())
    assert_same_image(got, whole)


def test_tiled_noise_padding_equals_whole():
    """A model whose noise is drawn at the padded size (the animation training)."""
    model = SinGAN(0.8, np.random.default_rng(0).standard_normal([1, 30, 34, 1]).astype(
        np.float32), noise_padding=5)
    for n, size in enumerate([(20, 24), (25, 30)]):
        model.add_scale(models.Generator(8, 8, noise_padding=True).build_at(size), 0.3, size)
    whole = sampling.sampler(model, 0, 2.0, 1.0)(1)
    assert_same_image(tiled_image(model, 6, seed=1, scale_h=2.0), whole)


@pytest.mark.parametrize("shape, rows, cols", [
    ([1, 37, 53, 3], (11, 20), (5, 50)),    # a start that is no multiple of Philox's 4
    ([1, 37, 53, 1], (0, 37), (0, 53)),
    ([1, 2000, 2100, 3], (1999, 2000), (2097, 2100)),
])
def test_a_noise_window_is_that_window_of_the_whole_draw(shape, rows, cols):
    whole = tf.random.stateless_normal(shape, seed=tf.constant([9, 2], tf.int64)).numpy()
    np.testing.assert_array_equal(tiled.noise_window(9, 2, shape, rows, cols),
                                  whole[:, rows[0]:rows[1], cols[0]:cols[1]])


def test_samples_above_the_memory_budget_are_tiled_and_written_as_they_come(
        trained_model, tmp_path):
    whole_dir, tiled_dir = tmp_path / "whole", tmp_path / "tiled"
    sampling.write_samples(trained_model, str(whole_dir), 2, seed=3, scale_w=2.0)
    budget = tiled.peak_bytes(trained_model, 1.0, 2.0) // 2  # too little for one at once
    sampling.write_samples(trained_model, str(tiled_dir), 2, seed=3, scale_w=2.0,
                           max_memory=budget, progress=True)
    for name in ("sample_000.png", "sample_001.png"):
        assert_same_image(read_png(tiled_dir / name), read_png(whole_dir / name))
    assert sorted(os.listdir(tiled_dir)) == ["sample_000.png", "sample_001.png"]  # no leftovers


def test_an_image_above_the_png_limit_is_a_folder_of_tiles_with_an_index(trained_model,
                                                                         tmp_path):
    sampling.write_samples(trained_model, str(tmp_path), 1, seed=3, scale_h=2.0, scale_w=2.0,
                           tile=20, max_png_pixels=1000)
    folder = tmp_path / "sample_000.tiles"
    index = json.loads((folder / "index.json").read_text())
    assert (index["height"], index["width"]) == (64, 64)
    whole = images.to_uint8(sampling.sampler(trained_model, 0, 2.0, 2.0)(3))
    assembled = np.zeros_like(whole)
    for entry in index["tiles"]:
        tile = read_png(folder / entry["file"])
        assembled[entry["y"]:entry["y"] + tile.shape[0], entry["x"]:entry["x"] + tile.shape[1]] = tile
    assert_same_image(assembled, whole)
    assert sorted(os.listdir(tmp_path)) == ["sample_000.tiles"]


def test_tile_edge_follows_the_budget(trained_model):
    small = tiled.tile_edge(trained_model, 10 * 2**20)
    large = tiled.tile_edge(trained_model, 1000 * 2**20)
    assert 16 <= small < large
    assert tiled.peak_bytes(trained_model, 4.0, 4.0) == 16 * tiled.peak_bytes(trained_model)
