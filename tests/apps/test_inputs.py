"""Injection inputs are fitted to the model's size; another aspect ratio is refused."""

import json
import os

import numpy as np
import pytest
from PIL import Image

from conftest import SHARED_DATA, make_tiny_image, write_png
from singan_tf.apps import inputs
from singan_tf.errors import ConfigError, ImageError


def test_same_aspect_is_resized_other_aspect_is_refused(tmp_path):
    big = write_png(make_tiny_image(64, 64), tmp_path / "big.png")
    assert inputs.load_fitted(big, (32, 32)).shape == (32, 32, 3)
    wide = write_png(make_tiny_image(32, 48), tmp_path / "wide.png")
    with pytest.raises(ImageError, match="48x32 .* the model is 32x32: another aspect ratio"):
        inputs.load_fitted(wide, (32, 32), "paint")


def test_pyramid_rounding_is_tolerated():
    # 453x600 fitted to the 189x250 that max_size=250 gives (ceil of 188.75).
    assert inputs.fit(np.zeros((453, 600, 3), np.float32), (189, 250)).shape == (189, 250, 3)


def test_mask_is_thresholded_at_half_from_any_mode(tmp_path):
    gray = np.zeros((64, 64), np.uint8)
    gray[:, 32:] = 200
    gray[:, 40:] = 100  # below half: not mask
    Image.fromarray(gray).save(tmp_path / "mask.png")
    rgba = np.dstack([np.repeat(gray[..., None], 3, -1), np.full((64, 64), 7, np.uint8)])
    Image.fromarray(rgba).save(tmp_path / "mask_rgba.png")
    for name in ["mask.png", "mask_rgba.png"]:
        mask = inputs.load_mask(str(tmp_path / name), (32, 32))
        assert mask.shape == (32, 32) and set(np.unique(mask)) == {0.0, 1.0}
        assert mask[:, 17:19].all() and not mask[:, :15].any() and not mask[:, 21:].any()


def test_real_image_comes_from_model_json_or_the_flag(trained_model_dir, tiny_image, tmp_path):
    manifest = json.load(open(os.path.join(trained_model_dir, "model.json")))
    np.testing.assert_allclose(inputs.load_real(manifest, (32, 32)), tiny_image, atol=1 / 127)
    other = write_png(-make_tiny_image(), tmp_path / "other.png")
    np.testing.assert_allclose(inputs.load_real(manifest, (32, 32), other), -tiny_image,
                               atol=1 / 127)
    with pytest.raises(ImageError, match="from model.json.* pass --image"):
        inputs.load_real(dict(manifest, image=str(tmp_path / "moved.png")), (32, 32))


def test_start_scale_must_allow_injection(trained_model):
    inputs.check_start_scale(trained_model, 1)
    inputs.check_start_scale(trained_model, 3)
    for bad in (0, 4):
        with pytest.raises(ConfigError, match=f"start_scale={bad} must be in 1..3"):
            inputs.check_start_scale(trained_model, bad)


@pytest.mark.skipif(not os.path.isdir(SHARED_DATA), reason="../shared/data is not present")
def test_reference_masks_load_as_binary():
    for path, size in [("editing/stone_edit_1_mask.png", (168, 250)),  # RGBA
                       ("harmonization/scream_naive_mask.jpg", (160, 125)),  # JPEG, half size
                       ("harmonization/pencil_tree_naive_mask.jpg", (189, 250))]:
        mask = inputs.load_mask(os.path.join(SHARED_DATA, path), size)
        assert mask.shape == size and 0.005 < mask.mean() < 0.5, path
