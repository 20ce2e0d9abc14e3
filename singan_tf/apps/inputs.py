"""User images and masks fitted to a model's finest size.

Injection inputs (paints, naive pastes, edits, masks, references) often differ
in size from the training image; the reference code then fails deep inside.
Here an input with the model's aspect ratio is resized to the model's size,
and one with another aspect ratio is refused with both shapes in the message.
"""

import os

import numpy as np
import tensorflow as tf

from singan_tf.io import images
from singan_tf.errors import ConfigError, ImageError
from singan_tf.singan import resize_to


def fit(pixels, size, what="image"):
    """Resizes [h, w, C] `pixels` to `size` = (H, W), refusing another aspect ratio.

    One pixel of slack at the model's size allows for the rounding of the pyramid.
    """
    h, w = pixels.shape[:2]
    height, width = size
    if abs(h * width / w - height) > 1 and abs(w * height / h - width) > 1:
        raise ImageError(
            f"{what} is {w}x{h} (width x height), the model is {width}x{height}: "
            f"another aspect ratio (crop it to {width}:{height} first)")
    if (h, w) == (height, width):
        return pixels
    return resize_to(tf.constant(pixels[None], tf.float32), size)[0].numpy()


def load_fitted(path, size, what="image"):
    """Reads an image file as [H, W, 3] in [-1, 1] at the model's `size`."""
    return fit(images.load_image(path), size, f"{what} {path}")


def load_mask(path, size):
    """Reads any 8-bit (or wider) image as a binary [H, W] mask: 1 where brighter than 50 %."""
    gray = images.load_image(path).mean(axis=-1, keepdims=True)
    return (fit(gray, size, f"mask {path}")[..., 0] > 0.0).astype(np.float32)


def load_real(manifest, size, image_path=None):
    """The training image at the model's `size`: `image_path` if given, else model.json's."""
    path = image_path or manifest["image"]
    if not image_path and not os.path.exists(path):
        raise ImageError(f"the training image {path} (from model.json) is not there: "
                         f"pass --image")
    return load_fitted(path, size, "training image")


def check_start_scale(model, start_scale):
    """Injection replaces the output of scale start_scale - 1, so it needs 1..N."""
    top = model.num_scales - 1
    if not 1 <= start_scale <= top:
        raise ConfigError(f"start_scale={start_scale} must be in 1..{top} for injection")
