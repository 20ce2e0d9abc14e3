"""Super-resolution: the finest generator applied again and again, upsampling in between.

As the reference (SR.py): the model is trained on the low-res image itself with
alpha = 100, min_size = 18 and a nominal ratio of factor^(1/k) between scales,
k = round(log(factor) / log(2^(1/3))) (6 for x4), its logarithms truncated
(adjust_scales2image_SR). Then k times: upsample by factor^(1/k) and run G_N
with fresh noise. That chain is a SinGAN whose scales all share G_N, so it
runs on the one generation path from the low-res image.
`load_or_train` gives the model: the one in the model directory, its
interrupted training resumed, or one trained there.

Each application of G_N draws fresh noise times the finest scale's noise
amplitude, as the reference's SR.py does (its zero maps are never used), so
the output is stochastic: seeded, same seed, same output.
"""

import dataclasses
import math

import numpy as np
import tensorflow as tf

from singan_tf import pyramid
from singan_tf.apps import sampling
from singan_tf.errors import ConfigError
from singan_tf.singan import SinGAN
from singan_tf.training import loop

MIN_SIZE = 18
ALPHA = 100.0


MIN_FACTOR = 2 ** (1 / 6)  # below it the reference's step count rounds to 0


def steps(factor):
    """(per-step factor, number of steps): about 2^(1/3) per step, exactly `factor` in all."""
    if factor < MIN_FACTOR:
        raise ConfigError(f"factor={factor} is too small: super-resolution needs at least "
                          f"{MIN_FACTOR:.3f} (2^(1/6)); resize the image for less")
    count = round(math.log(factor) / math.log(2 ** (1 / 3)))
    return factor ** (1 / count), count


def training_config(config, factor):
    """`config` with the SR settings: alpha 100, min_size 18, ratio 1 / factor^(1/k)."""
    step, _ = steps(factor)
    return dataclasses.replace(config, alpha=ALPHA, min_size=MIN_SIZE, scale_factor=1 / step)


def schedule(height, width, config):
    """The SR training pyramid: the usual formula with truncated logarithms."""
    return pyramid.make_schedule(height, width, config.min_size, config.max_size,
                                 config.scale_factor, rounding=int)


def train(image, config, factor, model_dir, image_path="", progress=True, resume=False,
          stop_requested=lambda: False):
    """Trains an SR model on the low-res `image` into a prepared `model_dir` (a ModelDir; or,
    with `resume`, continues the interrupted run there)."""
    config = training_config(config, factor)
    plan = schedule(image.shape[0], image.shape[1], config)
    return loop.train(image, config, model_dir, image_path=image_path, progress=progress,
                      schedule=plan, resume=resume, stop_requested=stop_requested)


def load_or_train(image, factor, model_dir, config, given=None, image_path="", progress=True,
                  stop_requested=lambda: False):
    """(model, how): the complete model in `model_dir` ("loaded"), its interrupted training
    continued ("resumed": `given` config values and `factor` must be the run's), or one
    trained there with `config` ("trained")."""
    if model_dir.has_manifest():
        if model_dir.is_complete():
            return model_dir.load()[0], "loaded"
        saved, _ = model_dir.resumed_run(given or {})
        if not math.isclose(training_config(saved, factor).scale_factor, saved.scale_factor):
            raise ConfigError(f"--factor={factor} is not the factor the interrupted run in "
                              f"{model_dir.path} trains for: pass the same factor to resume it, "
                              f"or another --model_dir")
        return train(image, saved, factor, model_dir, image_path=image_path, progress=progress,
                     resume=True, stop_requested=stop_requested), "resumed"
    model_dir.prepare()
    return train(image, config, factor, model_dir, image_path=image_path, progress=progress,
                 stop_requested=stop_requested), "trained"


def output_sizes(height, width, factor):
    """Sizes after each step; the last is int(factor * size), as the reference crops."""
    step, count = steps(factor)
    sizes = [(math.ceil(round(height * step ** j, 6)), math.ceil(round(width * step ** j, 6)))
             for j in range(1, count)]
    return sizes + [(int(height * factor), int(width * factor))]


def chain(model, height, width, factor):
    """The SinGAN that super-resolves a height x width image: G_N at every step's size."""
    step, _ = steps(factor)
    pyramid_of_steps = SinGAN(1.0 / step, np.zeros([1, height, width, 1], np.float32),
                              model.noise_padding)
    for size in [(height, width)] + output_sizes(height, width, factor):
        pyramid_of_steps.add_scale(model.generators[-1], model.noise_amps[-1], size)
    return pyramid_of_steps


def super_resolve(model, image, factor, seed=0):
    """Upsamples [h, w, 3] `image` by `factor` with `model`'s finest generator and noise
    from `seed`; [H, W, 3]."""
    steps_model = chain(model, *image.shape[:2], factor)
    prev = steps_model.upsample(tf.convert_to_tensor(image, tf.float32)[None],
                                steps_model.sizes[1])
    return steps_model.generate(steps_model.seeded_noise(seed), 1, prev=prev)[0].numpy()


def write(model, image, factor, path, seed=0, max_memory=None, tile=None, progress=False):
    """Writes `super_resolve(model, image, factor, seed)` to `path`; an output too large to
    make at once is made in tiles (apps/sampling.write_image), the same image."""
    steps_model = chain(model, *image.shape[:2], factor)
    sampling.write_image(steps_model, path, seed,
                         lambda s: super_resolve(model, image, factor, s), 1, image,
                         max_memory=max_memory, tile=tile, progress=progress)
    return steps_model.sizes[-1]
