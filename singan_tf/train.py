"""Trains a SinGAN on one image.

  python -m singan_tf.train --image=PATH --model_dir=DIR [--flagfile=flags/quick.cfg]
  python -m singan_tf.train --model_dir=DIR --resume

Every hyperparameter defaults to the official SinGAN value (flags/official.cfg
states them all). The model directory is written scale by scale, with a
checkpoint every --checkpoint_every iterations and on Ctrl-C / SIGTERM;
TensorBoard summaries go to DIR/logs.
"""

import signal

from absl import flags

from singan_tf import cli, imageio, model_dir as model_dir_lib, trainer
from singan_tf.config import TrainConfig
from singan_tf.errors import ConfigError, TrainingInterrupted

_DEFAULT = TrainConfig()

flags.DEFINE_string("image", None,
                    "Training image (any format Pillow reads). With --resume, defaults to "
                    "the image the run started with.")
flags.DEFINE_string("model_dir", None, "Where the trained model is written.")
flags.DEFINE_bool("overwrite", False, "Replace a model already in --model_dir.")
flags.DEFINE_bool("resume", False,
                  "Continue the interrupted run in --model_dir from its last checkpoint, "
                  "with the config it started with.")
flags.DEFINE_integer("checkpoint_every", 100, "Iterations between checkpoints.", lower_bound=1)
flags.DEFINE_integer("log_every", 10, "Iterations between TensorBoard loss summaries.",
                     lower_bound=1)
flags.DEFINE_bool("progress", True, "Show a progress bar per scale.")

flags.DEFINE_integer("max_size", _DEFAULT.max_size, "Longer side of the finest scale (px).")
flags.DEFINE_integer("min_size", _DEFAULT.min_size, "Shorter side of the coarsest scale (px).")
flags.DEFINE_float("scale_factor", _DEFAULT.scale_factor,
                   "Nominal ratio between scales; the ratio used is derived from it.")
flags.DEFINE_integer("niter", _DEFAULT.niter, "Iterations per scale (each dsteps + gsteps).")
flags.DEFINE_integer("nfc", _DEFAULT.nfc, "Channels at the coarsest scales.")
flags.DEFINE_integer("min_nfc", _DEFAULT.min_nfc, "Fewest channels of a body block.")
flags.DEFINE_integer("max_nfc", _DEFAULT.max_nfc, "Cap on channels as they double every 4 scales.")
flags.DEFINE_integer("num_layer", _DEFAULT.num_layer, "Convolutions per network.")
flags.DEFINE_integer("ker_size", _DEFAULT.ker_size, "Convolution kernel size.")
flags.DEFINE_float("lr_g", _DEFAULT.lr_g, "Generator learning rate (Adam).")
flags.DEFINE_float("lr_d", _DEFAULT.lr_d, "Critic learning rate (Adam).")
flags.DEFINE_float("beta1", _DEFAULT.beta1, "Adam beta1.")
flags.DEFINE_float("gamma", _DEFAULT.gamma, "Learning-rate factor at lr_milestone.")
flags.DEFINE_integer("lr_milestone", _DEFAULT.lr_milestone, "Iteration at which rates drop.")
flags.DEFINE_integer("dsteps", _DEFAULT.dsteps, "Critic steps per iteration.")
flags.DEFINE_integer("gsteps", _DEFAULT.gsteps, "Generator steps per iteration.")
flags.DEFINE_float("lambda_grad", _DEFAULT.lambda_grad, "Gradient-penalty weight.")
flags.DEFINE_float("alpha", _DEFAULT.alpha, "Reconstruction-loss weight.")
flags.DEFINE_float("noise_amp", _DEFAULT.noise_amp, "Noise amplitude relative to the RMSE.")
flags.DEFINE_integer("seed", _DEFAULT.seed, "Random seed.")

flags.mark_flags_as_required(["model_dir"])
FLAGS = flags.FLAGS


def main(argv):
    del argv
    if FLAGS.resume:
        config, image_path = _resumed_run()
    else:
        if FLAGS.image is None:
            raise ConfigError("--image is required (unless --resume)")
        config = TrainConfig(**{name: FLAGS[name].value for name in TrainConfig().to_dict()})
        image_path = FLAGS.image
    image = imageio.load_image(image_path)
    if not FLAGS.resume:
        model_dir_lib.prepare(FLAGS.model_dir, overwrite=FLAGS.overwrite)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop like Ctrl-C: checkpoint first
    try:
        trainer.train(image, config, FLAGS.model_dir, image_path=image_path,
                      progress=FLAGS.progress, log_every=FLAGS.log_every,
                      checkpoint_every=FLAGS.checkpoint_every, resume=FLAGS.resume)
    except KeyboardInterrupt:  # outside an iteration: every complete scale is on disk
        raise TrainingInterrupted("training interrupted: continue with --resume") from None
    print(f"Model written to {FLAGS.model_dir}")


def _resumed_run():
    """The saved config and image of the run in --model_dir; flags may not contradict them."""
    manifest = model_dir_lib.read_manifest(FLAGS.model_dir)
    config = TrainConfig.from_dict(manifest["config"])
    for name, saved in config.to_dict().items():
        if FLAGS[name].present and FLAGS[name].value != saved:
            raise ConfigError(f"--{name}={FLAGS[name].value} differs from the run being resumed "
                              f"({name}={saved}); --resume keeps the saved config")
    return config, FLAGS.image or manifest["image"]


if __name__ == "__main__":
    cli.run(main)
