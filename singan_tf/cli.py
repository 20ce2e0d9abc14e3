"""What every entry point shares: user errors (flags included) become one line on stderr, exit 1,
and (for those that train) one flag per training hyperparameter."""

import dataclasses
import sys

from absl import app, flags

from singan_tf.config import TrainConfig
from singan_tf.errors import SinGANError


flags.DEFINE_bool("verbose", False, "Show the traceback of an error, not only its message.")


def run(main):
    """Runs an absl `main`, reporting SinGANError without a traceback (unless --verbose)."""

    def guarded(argv):
        if len(argv) > 1:
            _fail(f"unexpected arguments: {' '.join(argv[1:])}")
        try:
            main(argv)
        except SinGANError as e:
            if flags.FLAGS.verbose:
                raise
            _fail(str(e))

    app.run(guarded, flags_parser=_parse_flags)


def _parse_flags(argv):
    try:
        return flags.FLAGS(argv)
    except flags.Error as e:
        _fail(str(e).replace("\n", "; "))


def _fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


_CONFIG_HELP = {
    "max_size": "Longer side of the finest scale (px).",
    "min_size": "Shorter side of the coarsest scale (px).",
    "scale_factor": "Nominal ratio between scales; the ratio used is derived from it.",
    "niter": "Iterations per scale (each dsteps + gsteps).",
    "nfc": "Channels at the coarsest scales.",
    "min_nfc": "Fewest channels of a body block.",
    "max_nfc": "Cap on channels as they double every 4 scales.",
    "num_layer": "Convolutions per network.",
    "ker_size": "Convolution kernel size.",
    "lr_g": "Generator learning rate (Adam).",
    "lr_d": "Critic learning rate (Adam).",
    "beta1": "Adam beta1.",
    "gamma": "Learning-rate factor at lr_milestone.",
    "lr_milestone": "Iteration at which rates drop.",
    "dsteps": "Critic steps per iteration.",
    "gsteps": "Generator steps per iteration.",
    "lambda_grad": "Gradient-penalty weight.",
    "alpha": "Reconstruction-loss weight.",
    "noise_amp": "Noise amplitude relative to the RMSE.",
    "train_depth": "Scales trained at once (ConSinGAN's concurrent training): the newest scale "
                   "and the train_depth - 1 below it. 1 is the official one-at-a-time.",
    "lr_scale": "With train_depth > 1, a scale k steps below the newest learns at lr_g * "
                "lr_scale**k.",
    "seed": "Random seed.",
}
_DEFINE = {int: flags.DEFINE_integer, float: flags.DEFINE_float}


def define_config_flags():
    """One flag per TrainConfig field, defaulting to the official value (entry points that train)."""
    for field in dataclasses.fields(TrainConfig):
        _DEFINE[field.type](field.name, field.default, _CONFIG_HELP[field.name])


def config_from_flags():
    """The TrainConfig the flags describe (validated: a bad value raises ConfigError)."""
    return TrainConfig(**{f.name: flags.FLAGS[f.name].value
                          for f in dataclasses.fields(TrainConfig)})
