"""A SinGAN with random weights for an image size and config: speed and memory do not
depend on the weights, so benchmarks need no hours of training."""

import numpy as np

from singan_tf import model_dir as model_dir_lib, models, pyramid
from singan_tf.singan import SinGAN


def untrained(height, width, config):
    """The pyramid `config` would train on a height x width image, with untrained generators."""
    schedule = pyramid.make_schedule(height, width, config.min_size, config.max_size,
                                     config.scale_factor)
    model = SinGAN(schedule.ratio, np.zeros([1, *schedule.sizes[0], 1], np.float32))
    for n, (h, w) in enumerate(schedule.sizes):
        nfc, min_nfc = models.scale_channels(n, config.nfc, config.min_nfc, config.max_nfc)
        generator = models.Generator(nfc, min_nfc, config.num_layer, config.ker_size)
        placeholder = np.zeros([1, h, w, 3], np.float32)
        generator(placeholder, placeholder)
        model.add_scale(generator, 0.1, (h, w))
    return model


def model_or_untrained(model_dir, height, width, config):
    """The trained model in `model_dir` when given, else `untrained(height, width, config)`."""
    if model_dir:
        return model_dir_lib.load(model_dir)[0]
    return untrained(height, width, config)
