"""Random samples of any size, written as numbered PNGs: the pyramid from seeded noise.

Sample i of a run with seed S is a pure function of S + i (stateless random
numbers per scale), so the same seed gives the same images and --seed=S+1
starts where --seed=S left off. A sample that would not fit in `max_memory`
at once is made tile by tile (singan_tf/tiled.py), the same image bit for
bit, and written to its file as the tiles are made.
"""

import os

import tensorflow as tf

from singan_tf import tiled
from singan_tf.errors import ConfigError
from singan_tf.io import atomic, images


def default_max_memory():
    """A quarter of this machine's memory: what a sample may take at once by default."""
    return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 4


def check_request(model, start_scale, scale_h, scale_w):
    """Refuses a start scale or size that cannot work, before anything is computed."""
    if not 0 <= start_scale < model.num_scales:
        raise ConfigError(f"start_scale={start_scale} must be in 0..{model.num_scales - 1}")
    model.output_size(scale_h, scale_w)  # refuses sizes outside the budget
    if start_scale > 0 and (scale_h, scale_w) != (1.0, 1.0):
        raise ConfigError("start_scale > 0 keeps the reconstruction, which exists only at the "
                          "training size: use --start_scale=0 with --scale_h/--scale_w")


def sample_path(out_dir, i):
    return os.path.join(out_dir, f"sample_{i:03d}.png")


def sampler(model, start_scale=0, scale_h=1.0, scale_w=1.0):
    """seed -> [H, W, 3] sample, compiled: the function every sample of the command comes from
    (the SavedModel's graph gives the same bits; eager execution may differ by an ulp)."""
    @tf.function
    def sample(seed):
        noise = model.seeded_noise(seed, scale_h, scale_w)
        return model.generate(noise, start_scale=start_scale)[0]

    return lambda seed: sample(tf.constant(seed, tf.int64)).numpy()


def write_samples(model, out_dir, num_samples, seed=0, start_scale=0, scale_h=1.0, scale_w=1.0,
                  max_memory=None, tile=None, progress=False,
                  max_png_pixels=images.MAX_PNG_PIXELS):
    """Writes OUT_DIR/sample_000.png, ...: sample i from seed + i (see `write_image`)."""
    check_request(model, start_scale, scale_h, scale_w)
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        raise atomic.write_error(out_dir, e) from e
    whole = sampler(model, start_scale, scale_h, scale_w)
    for i in range(num_samples):
        write_image(model, sample_path(out_dir, i), seed + i, whole, start_scale, None,
                    scale_h, scale_w, max_memory, tile, progress, max_png_pixels)


def write_image(model, path, seed, whole, start_scale=0, below=None, scale_h=1.0, scale_w=1.0,
                max_memory=None, tile=None, progress=False,
                max_png_pixels=images.MAX_PNG_PIXELS):
    """Writes the image of `seed` to `path`: `whole(seed)` when it fits in `max_memory` bytes
    (default: a quarter of the machine's), else made in tiles of `tile` px (default: the
    largest that fits) and written as they are made; a given `tile` always tiles. `below`
    is the image the scales from `start_scale` up refine (see tiled.generate). Above
    `max_png_pixels` the image is a folder of PNG tiles with an index."""
    max_memory = max_memory or default_max_memory()
    height, width = model.output_size(scale_h, scale_w)
    if tile is None and tiled.peak_bytes(model, scale_h, scale_w) <= max_memory \
            and height * width <= max_png_pixels:
        images.save_image(whole(seed), path)
        return
    image = images.StreamedImage(path, height, width, max_png_pixels)
    try:
        tiled.generate(model, image.write, seed, scale_h, scale_w, start_scale, below,
                       tile=tile or tiled.tile_edge(model, max_memory // 2), progress=progress,
                       work_dir=os.path.dirname(os.path.abspath(path)))
    except BaseException:
        image.close()
        raise
    image.finish()
