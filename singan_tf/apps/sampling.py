"""Random samples of any size, written as numbered PNGs: the pyramid from seeded noise.

Sample i of a run with seed S is a pure function of S + i (stateless random
numbers per scale), so the same seed gives the same images and --seed=S+1
starts where --seed=S left off. Samples may be made several at a time (one
compiled call per batch, PNGs written in the background while the next batch
runs); a batch rounds within an ulp of the lone samples, so its images match
them within one uint8 level. A sample that would not fit in `max_memory` at
once is made tile by tile (singan_tf/tiled.py), the same image to float32 rounding,
and written to its file as the tiles are made.
"""

from concurrent import futures
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


def with_noise_gain(model, start_scale, gain):
    """The pyramid with the fresh noise at `start_scale` `gain` times as strong. The noise
    amplitudes are set in training from the reconstruction error, and at the second scale
    they are small enough (about 0.015 in the fast preset) that samples from N-1 keep the
    training image's layout; a gain above 1 buys more varied samples for some fidelity
    (docs/quality.md measures it)."""
    if gain < 0:
        raise ConfigError(f"noise_gain={gain} must be at least 0")
    if gain == 1:
        return model
    return model.with_scale(start_scale, model.generators[start_scale],
                            model.noise_amps[start_scale] * gain)


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


def batch_sampler(model, start_scale=0, scale_h=1.0, scale_w=1.0):
    """seeds -> [B, H, W, 3] samples in one compiled call (traced once for any B): sample b
    has seed b's noise, and runs through the pyramid with the others of its batch."""
    shapes = [shape[1:] for shape in model.noise_shapes(1, scale_h, scale_w)]

    def noise_of(seed):
        return [z[0] for z in model.seeded_noise(seed, scale_h, scale_w)]

    @tf.function(input_signature=[tf.TensorSpec([None], tf.int64)])
    def sample(seeds):
        noise = tf.map_fn(noise_of, seeds, fn_output_signature=[
            tf.TensorSpec(shape, tf.float32) for shape in shapes])
        return model.generate(noise, start_scale=start_scale)

    return lambda seeds: sample(tf.constant(seeds, tf.int64)).numpy()


def write_samples(model, out_dir, num_samples, seed=0, start_scale=0, scale_h=1.0, scale_w=1.0,
                  max_memory=None, tile=None, progress=False,
                  max_png_pixels=images.MAX_PNG_PIXELS, batch_size=1, noise_gain=1.0):
    """Writes OUT_DIR/sample_000.png, ...: sample i from seed + i, `batch_size` at a time
    (fewer when that many do not fit in `max_memory` at once), or tile by tile when one
    does not fit (see `write_image`); `noise_gain` as in `with_noise_gain`."""
    check_request(model, start_scale, scale_h, scale_w)
    model = with_noise_gain(model, start_scale, noise_gain)
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        raise atomic.write_error(out_dir, e) from e
    batch = fitting_batch(model, batch_size, scale_h, scale_w, max_memory, tile, max_png_pixels)
    if batch is None:
        for i in range(num_samples):
            write_image(model, sample_path(out_dir, i), seed + i, None, start_scale, None,
                        scale_h, scale_w, max_memory, tile, progress, max_png_pixels)
        return
    write_batches(batch_generator(model, batch, start_scale, scale_h, scale_w), out_dir,
                  num_samples, seed, batch)


def batch_generator(model, batch_size, start_scale=0, scale_h=1.0, scale_w=1.0):
    """seeds -> [B, H, W, 3] for batches of up to `batch_size`: `batch_sampler`, or for
    batch 1 the lone `sampler` (the SavedModel's bits)."""
    if batch_size > 1:
        return batch_sampler(model, start_scale, scale_h, scale_w)
    lone = sampler(model, start_scale, scale_h, scale_w)
    return lambda seeds: lone(seeds[0])[None]


def fitting_batch(model, batch_size, scale_h=1.0, scale_w=1.0, max_memory=None, tile=None,
                  max_png_pixels=images.MAX_PNG_PIXELS):
    """The most samples, up to `batch_size`, made at once within `max_memory` bytes
    (default: a quarter of the machine's); None when even one is made in tiles."""
    height, width = model.output_size(scale_h, scale_w)
    each = tiled.peak_bytes(model, scale_h, scale_w)
    max_memory = max_memory or default_max_memory()
    if tile is not None or height * width > max_png_pixels or each > max_memory:
        return None
    return min(batch_size, max_memory // each)


def write_batches(generate, out_dir, num_samples, seed, batch_size):
    """Writes samples seed .. seed + num_samples - 1 of `generate` (seeds -> [B, H, W, 3]),
    `batch_size` per call; one thread writes a batch's PNGs while the next batch is
    computed (PNG encoding and TensorFlow's kernels both release the GIL). A failed write
    stops the run with its error."""
    pending = None
    with futures.ThreadPoolExecutor(max_workers=1) as writer:
        for first in range(0, num_samples, batch_size):
            indices = range(first, min(first + batch_size, num_samples))
            samples = generate([seed + i for i in indices])
            if pending is not None:
                pending.result()
            pending = writer.submit(_write_batch, out_dir, indices, samples)
        pending.result()


def _write_batch(out_dir, indices, samples):
    for i, pixels in zip(indices, samples):
        images.save_image(pixels, sample_path(out_dir, i))


def write_image(model, path, seed, whole, start_scale=0, below=None, scale_h=1.0, scale_w=1.0,
                max_memory=None, tile=None, progress=False,
                max_png_pixels=images.MAX_PNG_PIXELS):
    """Writes the image of `seed` to `path`: `whole(seed)` when it fits in `max_memory` bytes
    (default: a quarter of the machine's), else made in tiles of `tile` px (default: the
    largest that fits) and written as they are made; a given `tile` always tiles. `below`
    is the image the scales from `start_scale` up refine (see tiled.generate). Above
    `max_png_pixels` the image is a folder of PNG tiles with an index."""
    if fitting_batch(model, 1, scale_h, scale_w, max_memory, tile, max_png_pixels):
        images.save_image(whole(seed), path)
        return
    max_memory = max_memory or default_max_memory()
    height, width = model.output_size(scale_h, scale_w)
    image = images.StreamedImage(path, height, width, max_png_pixels)
    try:
        tiled.generate(model, image.write, seed, scale_h, scale_w, start_scale, below,
                       tile=tile or tiled.tile_edge(model, max_memory // 2), progress=progress,
                       work_dir=os.path.dirname(os.path.abspath(path)))
    except BaseException:
        image.close()
        raise
    image.finish()
