"""Random samples of any size, written as numbered PNGs: the pyramid from seeded noise.

Sample i of a run with seed S is a pure function of S + i (stateless random
numbers per scale), so the same seed gives the same images and --seed=S+1
starts where --seed=S left off.
"""

import os

import tensorflow as tf

from singan_tf.errors import ConfigError
from singan_tf.io import atomic, images


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


def write_samples(model, out_dir, num_samples, seed=0, start_scale=0, scale_h=1.0, scale_w=1.0):
    """Writes OUT_DIR/sample_000.png, ...: sample i from seed + i."""
    check_request(model, start_scale, scale_h, scale_w)
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        raise atomic.write_error(out_dir, e) from e
    sample = sampler(model, start_scale, scale_h, scale_w)
    for i in range(num_samples):
        images.save_image(sample(seed + i), sample_path(out_dir, i))
