"""Trains a SinGAN on one image.

  python -m singan_tf.train --image=PATH --model_dir=DIR [--flagfile=flags/quick.cfg]
  python -m singan_tf.train --model_dir=DIR --resume

Every hyperparameter defaults to the official SinGAN value (flags/official.cfg
states them all). The model directory is written scale by scale, with a
checkpoint every --checkpoint_every iterations and on Ctrl-C / SIGTERM (after the
current iteration; a second one ends the process at once); TensorBoard
summaries go to DIR/logs.
"""

from absl import flags

from singan_tf import cli
from singan_tf.errors import ConfigError

FLAGS = cli.flag_values()
flags.DEFINE_string("image", None, "Training image (any format Pillow reads). With --resume, "
                    "defaults to the image the run started with.", flag_values=FLAGS)
flags.DEFINE_string("model_dir", None, "Where the trained model is written.", flag_values=FLAGS)
flags.DEFINE_bool("overwrite", False, "Replace a model already in --model_dir.", flag_values=FLAGS)
flags.DEFINE_bool("resume", False, "Continue the interrupted run in --model_dir from its last "
                  "checkpoint, with the config it started with.", flag_values=FLAGS)
flags.DEFINE_integer("checkpoint_every", 100, "Iterations between checkpoints.", lower_bound=1,
                     flag_values=FLAGS)
flags.DEFINE_integer("log_every", 10, "Iterations between TensorBoard loss summaries.",
                     lower_bound=1, flag_values=FLAGS)
flags.DEFINE_bool("progress", True, "Show a progress bar per scale.", flag_values=FLAGS)
cli.define_config_flags(FLAGS)
flags.mark_flag_as_required("model_dir", flag_values=FLAGS)


def main():
    from singan_tf.io import images  # TensorFlow loads from here on
    from singan_tf.io.model_dir import ModelDir
    from singan_tf.training import graceful_stop, loop

    model_dir = ModelDir(FLAGS.model_dir)
    if FLAGS.resume:
        config, image_path = model_dir.resumed_run(cli.given_config(FLAGS), FLAGS.image)
    elif FLAGS.image is None:
        raise ConfigError("--image is required (unless --resume)")
    else:
        config, image_path = cli.config_from_flags(FLAGS), FLAGS.image
    image = images.load_image(image_path)
    with model_dir.lock(), graceful_stop.on_signals() as stop:
        if not FLAGS.resume:
            model_dir.prepare(overwrite=FLAGS.overwrite)
        loop.train(image, config, model_dir, image_path=image_path, progress=FLAGS.progress,
                   log_every=FLAGS.log_every, checkpoint_every=FLAGS.checkpoint_every,
                   resume=FLAGS.resume, stop_requested=stop)
    print(f"Model written to {FLAGS.model_dir}")


if __name__ == "__main__":
    cli.run(main, FLAGS)
