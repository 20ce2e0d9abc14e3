"""Image loading: every common mode becomes RGB in [-1, 1]; bad files give ImageError."""

import io
import os

import numpy as np
import pytest
from PIL import Image

from conftest import REPO, SHARED_DATA, needs_shared_data
from singan_tf.errors import ImageError, WriteError
from singan_tf.io import images


def rgb_gradient(height=12, width=16):
    yy, xx = np.mgrid[0:height, 0:width]
    return np.stack([xx * 15, yy * 20, (xx + yy) * 8], -1).astype(np.uint8)


def save(image, path, **kwargs):
    image.save(path, **kwargs)
    return str(path)


def test_rgb_png_round_trip(tmp_path):
    pixels = rgb_gradient()
    loaded = images.load_image(save(Image.fromarray(pixels), tmp_path / "a.png"))
    assert loaded.dtype == np.float32 and loaded.shape == (12, 16, 3)
    assert loaded.min() >= -1 and loaded.max() <= 1
    out = str(tmp_path / "b.png")
    images.save_image(loaded, out)
    np.testing.assert_array_equal(np.asarray(Image.open(out)), pixels)
    assert sorted(os.listdir(tmp_path)) == ["a.png", "b.png"]  # no temporary file left


@pytest.mark.parametrize("mode", ["L", "LA", "RGBA", "P", "CMYK", "I;16", "1"])
def test_every_mode_becomes_rgb(tmp_path, mode):
    source = Image.fromarray(rgb_gradient())
    if mode == "I;16":
        image = Image.fromarray(np.asarray(source.convert("L")).astype(np.uint16) * 257)
    else:
        image = source.convert(mode)
    extension = "jpg" if mode == "CMYK" else "png"
    loaded = images.load_image(save(image, tmp_path / f"x.{extension}"))
    assert loaded.shape == (12, 16, 3)
    assert -1 <= loaded.min() and loaded.max() <= 1


def test_16_bit_images_are_scaled_not_clipped(tmp_path):
    gray = np.linspace(0, 65535, 12 * 16).reshape(12, 16).astype(np.uint16)
    loaded = images.load_image(save(Image.fromarray(gray), tmp_path / "g.png"))
    assert loaded.min() == pytest.approx(-1, abs=1e-3) and loaded.max() == pytest.approx(1, abs=1e-3)
    assert len(np.unique(loaded)) > 100


def test_rgba_drops_alpha_but_keeps_colour(tmp_path):
    pixels = rgb_gradient()
    rgba = np.concatenate([pixels, np.full((12, 16, 1), 10, np.uint8)], -1)
    loaded = images.load_image(save(Image.fromarray(rgba, mode="RGBA"), tmp_path / "t.png"))
    np.testing.assert_allclose((loaded + 1) * 127.5, pixels, atol=1e-3)


def test_exif_orientation_is_applied(tmp_path):
    image = Image.fromarray(rgb_gradient(12, 16))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    loaded = images.load_image(save(image, tmp_path / "r.jpg", exif=exif))
    assert loaded.shape == (16, 12, 3)


def test_bad_files_raise_image_error(tmp_path):
    (tmp_path / "text.png").write_text("not an image")
    (tmp_path / "empty.png").write_bytes(b"")
    buffer = io.BytesIO()
    noise = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(noise).save(buffer, format="PNG")
    (tmp_path / "cut.png").write_bytes(buffer.getvalue()[:2000])
    cases = {"nowhere.png": "not found", "text.png": "cannot read", "empty.png": "cannot read",
             "cut.png": "cannot read", ".": "directory"}
    for name, message in cases.items():
        with pytest.raises(ImageError, match=message):
            images.load_image(str(tmp_path / name))


def test_huge_images_are_refused_before_decoding(tmp_path, monkeypatch):
    path = save(Image.fromarray(rgb_gradient(40, 40)), tmp_path / "big.png")
    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    with pytest.raises(ImageError, match="too large"):
        images.load_image(path)


def test_to_uint8_clips_and_rounds():
    np.testing.assert_array_equal(images.to_uint8(np.array([-2.0, -1.0, 0.0, 1.0, 5.0])),
                                  [0, 0, 128, 255, 255])


@needs_shared_data
def test_shared_rgba_image_loads():
    path = os.path.join(SHARED_DATA, "generation", "colusseum.png")
    assert images.load_image(path).shape == (188, 250, 3)


def test_bundled_default_image_loads():
    assert images.load_image(os.path.join(REPO, "data", "pebbles.png")).shape == (188, 250, 3)


def test_unwritable_output_is_a_write_error_naming_the_path(tmp_path):
    target = str(tmp_path / "missing_dir" / "out.png")
    with pytest.raises(WriteError, match=f"cannot write {target}: No such file or directory"):
        images.save_image(np.zeros((4, 4, 3)), target)
    with pytest.raises(WriteError, match="folder .*missing_dir does not exist"):
        images.check_output_path(target)
    with pytest.raises(ImageError, match="unknown image file extension"):
        images.check_output_path(str(tmp_path / "out.xyz"))
    assert os.listdir(tmp_path) == []
