"""Reading and writing images: any common file in, float32 RGB in [-1, 1] out.

The reference code breaks on grayscale, palette, 16-bit and RGBA files; every
mode Pillow reads is converted here, so nothing downstream sees more than RGB.
"""

import glob
import os

from absl import logging
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from singan_tf.errors import ImageError
from singan_tf.io import atomic

# Refuse images above this many pixels before decoding them (decompression bombs).
MAX_PIXELS = 50_000_000


def load_image(path):
    """Returns the image at `path` as float32 [H, W, 3] in [-1, 1].

    EXIF orientation is applied, alpha is dropped, grayscale and palette images
    become RGB, 16-bit images are scaled to the 8-bit range, and an animation
    gives its first frame (with a warning).
    """
    if not os.path.exists(path):
        raise ImageError(f"image not found: {path}")
    if os.path.isdir(path):
        raise ImageError(f"image path is a directory: {path}")
    try:
        with Image.open(path) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ImageError(
                    f"image too large: {path} is {image.width}x{image.height}, "
                    f"above the limit of {MAX_PIXELS} pixels")
            frames = getattr(image, "n_frames", 1)
            if frames > 1:
                logging.warning("%s is animated (%d frames): using the first frame", path, frames)
            image = ImageOps.exif_transpose(image)
            pixels = _to_rgb_array(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as e:
        raise ImageError(f"cannot read image {path}: {e}") from e
    return pixels / 127.5 - 1.0


def find_images(pattern):
    """The image files `pattern` names, sorted: a directory's image files, or a glob's matches.

    In a directory, only names with an extension Pillow knows count as images.
    """
    if os.path.isdir(pattern):
        extensions = Image.registered_extensions()
        paths = [os.path.join(pattern, name) for name in os.listdir(pattern)
                 if os.path.splitext(name)[1].lower() in extensions]
    else:
        paths = glob.glob(pattern)
    paths = sorted(path for path in paths if os.path.isfile(path))
    if not paths:
        raise ImageError(f"no images found: {pattern}")
    return paths


def _to_rgb_array(image):
    """Converts a Pillow image of any mode to float32 [H, W, 3] in [0, 255]."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        gray = np.asarray(image, dtype=np.float32)
        if gray.max() > 255:  # 16-bit (or wider) samples
            gray = gray * (255.0 / 65535.0)
        return np.repeat(np.clip(gray, 0, 255)[..., None], 3, axis=-1)
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode != "RGB":
        image = image.convert("RGB")
    return np.asarray(image, dtype=np.float32)


def to_uint8(pixels):
    """Maps float pixels in [-1, 1] (any leading dims) to uint8."""
    return np.clip(np.round((np.asarray(pixels) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def save_image(pixels, path):
    """Writes float [H, W, 3] pixels in [-1, 1] as an image file (atomically)."""
    save_uint8(to_uint8(pixels), path)


def save_uint8(pixels, path):
    """Writes uint8 [H, W, 3] pixels (a served or TFLite model's output) atomically."""
    image_format = _format_of(path)
    with atomic.replacing(path) as tmp:
        Image.fromarray(np.asarray(pixels, np.uint8)).save(tmp, format=image_format)


def check_output_path(path):
    """Fails now, not after minutes of work, on an image path that cannot be written:
    an extension that names no image format, a missing or unwritable folder."""
    _format_of(path)
    atomic.check_writable(path)


def _format_of(path):
    extension = os.path.splitext(path)[1].lower()
    formats = Image.registered_extensions()
    if extension not in formats:
        raise ImageError(f"unknown image file extension: {path}")
    return formats[extension]


def quantized(pixels):
    """Float pixels in [-1, 1] as an 8-bit file holds them (what `save_image` writes)."""
    return to_uint8(pixels).astype(np.float32) / 127.5 - 1.0
