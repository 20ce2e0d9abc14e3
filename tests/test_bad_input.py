"""The table of bad and odd inputs: odd-but-valid ones work, bad ones raise one clear error.

Each row builds an input in a temporary folder and runs the checks the
training entry point runs before it trains (read the image, validate the
config, compute the pyramid) or loads a model directory. SinGANError is what
the entry points print as one line with exit status 1 (see test_train.py for
the command-line side).
"""

import io
import os
import shutil

import numpy as np
import pytest
from PIL import Image

from singan_tf import pyramid
from singan_tf.config import TrainConfig
from singan_tf.errors import SinGANError
from singan_tf.io import images
from singan_tf.io.model_dir import ModelDir


def gradient(height, width):
    yy, xx = np.mgrid[0:height, 0:width]
    return np.stack([xx * 255 // max(width - 1, 1), yy * 255 // max(height - 1, 1),
                     (xx + yy) % 256], -1).astype(np.uint8)


def saved(tmp, name, image, **kwargs):
    path = str(tmp / name)
    image.save(path, **kwargs)
    return path


def encoded(image, fmt):
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def write_bytes(tmp, name, data):
    (tmp / name).write_bytes(data)
    return str(tmp / name)


def prepare_for_training(path, **config):
    """What `singan_tf.train` checks before it trains."""
    config = TrainConfig(**config)
    image = images.load_image(path)
    pyramid.make_schedule(image.shape[0], image.shape[1], config.min_size, config.max_size,
                          config.scale_factor)
    return image


NOISE = Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200, 3), dtype=np.uint8))
PHOTO = Image.fromarray(gradient(60, 80))


def animated_gif(tmp):
    frames = [Image.fromarray(gradient(60, 80)), Image.fromarray(255 - gradient(60, 80))]
    path = str(tmp / "anim.gif")
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return path


def exif_rotated(tmp):
    exif = Image.Exif()
    exif[0x0112] = 6  # displayed rotated 90 degrees clockwise
    return saved(tmp, "rotated.jpg", PHOTO, exif=exif)


def palette_with_transparency(tmp):
    image = PHOTO.convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    return saved(tmp, "palette.png", image, transparency=0)


# (id, make the input -> path, config overrides, expected error or None for "works")
IMAGE_CASES = [
    ("empty file", lambda t: write_bytes(t, "empty.png", b""), {}, "cannot read image"),
    ("truncated png", lambda t: write_bytes(t, "cut.png", encoded(NOISE, "PNG")[:3000]), {},
     "cannot read image"),
    ("truncated jpeg", lambda t: write_bytes(t, "cut.jpg", encoded(NOISE, "JPEG")[:3000]), {},
     "cannot read image"),
    ("text named .png", lambda t: write_bytes(t, "text.png", b"hello, not an image"), {},
     "cannot read image"),
    ("decompression bomb", lambda t: saved(t, "bomb.png", Image.new("1", (10000, 6000))), {},
     "above the limit"),
    ("pillow-size bomb", lambda t: saved(t, "huge.png", Image.new("1", (20000, 20000))), {},
     "cannot read image"),
    ("1x1 image", lambda t: saved(t, "dot.png", Image.new("RGB", (1, 1))), {}, "min_size=25"),
    ("below min_size", lambda t: saved(t, "small.png", PHOTO.resize((24, 30))), {},
     "min_size=25"),
    ("extreme aspect 2000x20", lambda t: saved(t, "strip.png", Image.new("RGB", (2000, 20))), {},
     "min_size=25"),
    ("extreme aspect 2000x40", lambda t: saved(t, "strip2.png", Image.new("RGB", (2000, 40))), {},
     "too small"),
    ("missing file", lambda t: str(t / "nowhere.png"), {}, "not found"),
    ("path through a file", lambda t: os.path.join(saved(t, "f.png", PHOTO), "x.png"), {},
     "not found"),
    ("directory as path", lambda t: str(t), {}, "is a directory"),
    ("negative max_size", lambda t: saved(t, "a.png", PHOTO), {"max_size": -5}, "max_size=-5"),
    ("min_size above max_size", lambda t: saved(t, "a.png", PHOTO),
     {"min_size": 60, "max_size": 50}, "max_size=50"),
    ("niter 0", lambda t: saved(t, "a.png", PHOTO), {"niter": 0}, "niter=0"),
    ("scale_factor 1.5", lambda t: saved(t, "a.png", PHOTO), {"scale_factor": 1.5},
     "scale_factor=1.5"),
    ("scale_factor 0", lambda t: saved(t, "a.png", PHOTO), {"scale_factor": 0.0},
     "scale_factor=0.0"),
    # Odd but valid: these must work.
    ("16-bit png", lambda t: saved(t, "g16.png", Image.fromarray(
        (gradient(60, 80)[..., 0].astype(np.uint16) * 257))), {}, None),
    ("grayscale", lambda t: saved(t, "gray.png", PHOTO.convert("L")), {}, None),
    ("gray + alpha", lambda t: saved(t, "la.png", PHOTO.convert("LA")), {}, None),
    ("1-bit", lambda t: saved(t, "bits.png", PHOTO.convert("1")), {}, None),
    ("palette with transparency", palette_with_transparency, {}, None),
    ("rgba fully transparent", lambda t: saved(t, "clear.png", Image.fromarray(np.concatenate(
        [gradient(60, 80), np.zeros((60, 80, 1), np.uint8)], -1))), {}, None),
    ("cmyk jpeg", lambda t: saved(t, "cmyk.jpg", PHOTO.convert("CMYK")), {}, None),
    ("exif-rotated jpeg", exif_rotated, {}, None),
    ("animated gif", animated_gif, {}, None),
    ("float tiff", lambda t: saved(t, "f.tif", Image.fromarray(
        gradient(60, 80)[..., 0].astype(np.float32))), {}, None),
    ("bmp", lambda t: saved(t, "a.bmp", PHOTO), {}, None),
]


@pytest.mark.parametrize("make, config, expected", [c[1:] for c in IMAGE_CASES],
                         ids=[c[0] for c in IMAGE_CASES])
def test_training_inputs(tmp_path, make, config, expected):
    path = make(tmp_path)
    if expected is None:
        image = prepare_for_training(path, **config)
        assert image.ndim == 3 and image.shape[-1] == 3 and image.dtype == np.float32
        assert -1 <= image.min() and image.max() <= 1
    else:
        with pytest.raises(SinGANError, match=expected):
            prepare_for_training(path, **config)


def test_odd_inputs_keep_their_content(tmp_path):
    assert images.load_image(exif_rotated(tmp_path)).shape == (80, 60, 3)  # orientation applied
    first = images.load_image(animated_gif(tmp_path))
    pixels = (first + 1) * 127.5  # the first frame, not the second (its negative)
    assert np.abs(pixels - gradient(60, 80)).mean() < np.abs(pixels - (255 - gradient(60, 80))).mean() / 4


# Model directories: (id, damage to a copy of a trained model, expected error)
MODEL_CASES = [
    ("other format version", lambda p: open(os.path.join(p, "model.json"), "w").write(
        '{"format": "singan_tf.model", "version": 0}'), "version 0"),
    ("corrupted weight file", lambda p: open(
        os.path.join(p, "scale_00", "generator.weights.h5"), "r+b").write(b"\0" * 64), "damaged"),
    ("truncated scale.json", lambda p: open(
        os.path.join(p, "scale_02", "scale.json"), "w").write('{"noise_amp"'), "damaged"),
    ("missing z_rec", lambda p: os.remove(os.path.join(p, "scale_00", "z_rec.npy")), "damaged"),
    ("not a model folder", lambda p: os.remove(os.path.join(p, "model.json")),
     "not a singan_tf model directory"),
]


@pytest.mark.parametrize("damage, expected", [c[1:] for c in MODEL_CASES],
                         ids=[c[0] for c in MODEL_CASES])
def test_model_directories(trained_model_dir, tmp_path, damage, expected):
    path = str(tmp_path / "model")
    shutil.copytree(trained_model_dir, path)
    damage(path)
    with pytest.raises(SinGANError, match=expected):
        ModelDir(path).load()


def test_model_dir_that_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(SinGANError, match="is a file"):
        ModelDir(str(tmp_path / "file")).prepare()


def test_the_table_is_at_least_25_rows():
    assert len(IMAGE_CASES) + len(MODEL_CASES) + 1 >= 25
