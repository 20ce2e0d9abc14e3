"""A SinGAN with random weights for an image size and config: speed and memory do not
depend on the weights, so benchmarks need no hours of training."""

import numpy as np

from singan_tf import models, pyramid
from singan_tf.io.model_dir import ModelDir
from singan_tf.singan import SinGAN


def untrained(height, width, config):
    """The pyramid `config` would train on a height x width image, with untrained generators."""
    schedule = pyramid.make_schedule(height, width, config.min_size, config.max_size,
                                     config.scale_factor)
    model = SinGAN(schedule.ratio, np.zeros([1, *schedule.sizes[0], 1], np.float32))
    for n, size in enumerate(schedule.sizes):
        nfc, min_nfc = models.scale_channels(n, config.nfc, config.min_nfc, config.max_nfc)
        generator = models.Generator(nfc, min_nfc, config.num_layer, config.ker_size)
        model.add_scale(generator.build_at(size), 0.1, size)
    return model


def model_or_untrained(model_dir, height, width, config):
    """The trained model in `model_dir` when given, else `untrained(height, width, config)`."""
    if model_dir:
        return ModelDir(model_dir).load()[0]
    return untrained(height, width, config)
