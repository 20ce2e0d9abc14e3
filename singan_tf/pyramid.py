"""The scale schedule and the image pyramid, exactly as the official code computes them.

With the original image H x W and the nominal factor s0 (0.75):
  num_scales = ceil(log_s0(min_size / min(H, W))) + 1
  scale2stop = ceil(log_s0(min(max_size, max(H, W)) / max(H, W)))
  stop_scale = num_scales - scale2stop      (stop_scale + 1 scales are trained)
The image is first shrunk to fit max_size; the ratio actually used between
scales is r = (min_size / min(h, w)) ** (1 / stop_scale) for that shrunk size.
"""

import dataclasses
import math

import numpy as np
import tensorflow as tf

from singan_tf import resize
from singan_tf.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class Schedule:
    """Per-scale sizes, coarsest first, and the resize factors that produce them."""

    image_scale: float  # original -> finest scale (<= 1)
    ratio: float  # r: the resize factor from one scale to the next finer one
    sizes: tuple  # ((h, w), ...) for scales 0 (coarsest) .. N (finest)

    @property
    def num_scales(self):
        return len(self.sizes)

    def scale_of(self, n):
        """The resize factor from the finest scale down to scale n."""
        return self.ratio ** (self.num_scales - 1 - n)


def make_schedule(height, width, min_size, max_size, scale_factor, rounding=math.ceil):
    """Computes the schedule for an original image of height x width.

    `rounding` rounds the two logarithms: ceil for training, int for
    super-resolution (the official adjust_scales2image_SR truncates them).
    """
    if min(height, width) < min_size:
        raise ConfigError(
            f"image is {height}x{width}: its shorter side must be at least "
            f"min_size={min_size}")
    if max_size < min_size:
        raise ConfigError(f"max_size={max_size} is below min_size={min_size}")
    longer, shorter = max(height, width), min(height, width)
    num_scales = rounding(math.log(min_size / shorter, scale_factor)) + 1
    scale2stop = rounding(math.log(min(max_size, longer) / longer, scale_factor))
    stop_scale = num_scales - scale2stop
    image_scale = min(max_size / longer, 1.0)
    real_h, real_w = math.ceil(height * image_scale), math.ceil(width * image_scale)
    if stop_scale < 1 or min(real_h, real_w) <= min_size:
        raise ConfigError(
            f"image is {height}x{width} ({real_h}x{real_w} after max_size): too "
            f"small for more than one scale with min_size={min_size}")
    ratio = math.pow(min_size / min(real_h, real_w), 1.0 / stop_scale)
    sizes = []
    for n in range(stop_scale + 1):
        s = math.pow(ratio, stop_scale - n)
        sizes.append((math.ceil(real_h * s), math.ceil(real_w * s)))
    return Schedule(image_scale=image_scale, ratio=ratio, sizes=tuple(sizes))


def build_pyramid(image, schedule):
    """Returns the real image at every scale, coarsest first, each [1, h, w, 3]."""
    image = tf.convert_to_tensor(np.asarray(image, np.float32)[None])
    finest = schedule.sizes[-1]
    real = resize.resize(image, finest, (schedule.image_scale,) * 2)
    return [resize.resize(real, size, (schedule.scale_of(n),) * 2)
            for n, size in enumerate(schedule.sizes)]
