"""Trains a SinGAN on one image.

  python -m singan_tf.train --image=PATH --model_dir=DIR [--flagfile=flags/quick.cfg]
  python -m singan_tf.train --model_dir=DIR --resume

Every hyperparameter defaults to the official SinGAN value (flags/official.cfg
states them all). The model directory is written scale by scale, with a
checkpoint every --checkpoint_every iterations and on Ctrl-C / SIGTERM (after the
current iteration; a second one ends the process at once);
TensorBoard summaries go to DIR/logs.
"""

from absl import flags

from singan_tf import cli, graceful_stop, imageio, model_dir as model_dir_lib, trainer
from singan_tf.config import TrainConfig
from singan_tf.errors import ConfigError

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

cli.define_config_flags()

flags.mark_flags_as_required(["model_dir"])
FLAGS = flags.FLAGS


def main(argv):
    del argv
    if FLAGS.resume:
        config, image_path = _resumed_run()
    else:
        if FLAGS.image is None:
            raise ConfigError("--image is required (unless --resume)")
        config = cli.config_from_flags()
        image_path = FLAGS.image
    image = imageio.load_image(image_path)
    if not FLAGS.resume:
        model_dir_lib.prepare(FLAGS.model_dir, overwrite=FLAGS.overwrite)
    with graceful_stop.on_signals() as stop:
        trainer.train(image, config, FLAGS.model_dir, image_path=image_path,
                      progress=FLAGS.progress, log_every=FLAGS.log_every,
                      checkpoint_every=FLAGS.checkpoint_every, resume=FLAGS.resume,
                      stop_requested=stop)
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
