"""Reading and writing images: any common file in, float32 RGB in [-1, 1] out.

The reference code breaks on grayscale, palette, 16-bit and RGBA files; every
mode Pillow reads is converted here, so nothing downstream sees more than RGB.
"""

import glob
import json
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
    A glob's `**` matches any depth of folders.

    In a directory, only names with an extension Pillow knows count as images.
    """
    if os.path.isdir(pattern):
        extensions = Image.registered_extensions()
        paths = [os.path.join(pattern, name) for name in os.listdir(pattern)
                 if os.path.splitext(name)[1].lower() in extensions]
    else:
        paths = glob.glob(pattern, recursive=True)
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


# Largest image written as one PNG; Pillow holds it whole (4 bytes a pixel) while encoding.
MAX_PNG_PIXELS = 1 << 28


class StreamedImage:
    """An image written tile by tile and never held whole while it is made.

    The tiles' 8-bit pixels go to a raw file beside the output; `finish()`
    encodes it as the image file `path` (any format Pillow writes), or, above
    `max_png_pixels`, as a folder PATH_WITHOUT_EXTENSION.tiles/ of PNG tiles of
    `tile` px with an index.json giving the size and where each tile goes.
    Both are written atomically; the raw file is removed either way.
    """

    def __init__(self, path, height, width, max_png_pixels=MAX_PNG_PIXELS, tile=4096):
        self.path, self.height, self.width, self.tile = path, height, width, tile
        self.as_tiles = height * width > max_png_pixels
        directory, name = os.path.split(os.path.abspath(path))
        self.raw_path = os.path.join(directory, f".raw.{name}")
        try:
            self.fd = os.open(self.raw_path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
            os.ftruncate(self.fd, height * width * 3)
        except OSError as e:
            raise atomic.write_error(path, e) from e

    @property
    def written_path(self):
        return os.path.splitext(self.path)[0] + ".tiles" if self.as_tiles else self.path

    def write(self, y0, x0, pixels):
        """Float [h, w, 3] pixels in [-1, 1] at rows y0.., columns x0.."""
        block = to_uint8(pixels)
        try:
            for y in range(block.shape[0]):
                os.pwrite(self.fd, block[y].tobytes(), ((y0 + y) * self.width + x0) * 3)
        except OSError as e:
            self.close()
            raise atomic.write_error(self.path, e) from e

    def finish(self):
        try:
            pixels = np.memmap(self.raw_path, np.uint8, "r", shape=(self.height, self.width, 3))
            if self.as_tiles:
                self._write_tiles(pixels)
            else:
                save_uint8(pixels, self.path)
        except OSError as e:
            raise atomic.write_error(self.written_path, e) from e
        finally:
            self.close()

    def _write_tiles(self, pixels):
        with atomic.replacing_dir(self.written_path) as folder:
            tiles = []
            for y in range(0, self.height, self.tile):
                for x in range(0, self.width, self.tile):
                    name = f"tile_{y:06d}_{x:06d}.png"
                    Image.fromarray(np.asarray(pixels[y:y + self.tile, x:x + self.tile])).save(
                        os.path.join(folder, name))
                    tiles.append({"y": y, "x": x, "file": name})
            index = {"height": self.height, "width": self.width, "tile": self.tile,
                     "tiles": tiles}
            with open(os.path.join(folder, "index.json"), "w") as f:
                json.dump(index, f, indent=2)

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if os.path.exists(self.raw_path):
            os.remove(self.raw_path)
