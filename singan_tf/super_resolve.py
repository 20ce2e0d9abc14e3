"""Super-resolves an image with SinGAN.

  python -m singan_tf.super_resolve --image=LR.png --out=SR.png --factor=4
      [--model_dir=DIR] [--reference=HR.png] [--flagfile=flags/super_resolve.cfg]

A --model_dir that holds a complete model is used as it is; one that holds an
interrupted run is resumed (run the same command again after Ctrl-C);
otherwise a model is trained on --image with the SR settings (alpha 100,
min_size 18, ratio factor^(1/k)) into --model_dir (default: next to --out).
Then the finest generator is applied k times with zero noise. With
--reference, the PSNR of the output against it is printed.
"""

import math
import os

from absl import flags

from singan_tf import cli, graceful_stop, imageio, model_dir as model_dir_lib
from singan_tf.apps import inputs, super_resolution
from singan_tf.config import TrainConfig
from singan_tf.errors import ConfigError, TrainingInterrupted

_DEFAULT = TrainConfig()

flags.DEFINE_string("image", None, "The low-resolution image.")
flags.DEFINE_string("out", None, "Where the super-resolved image is written.")
flags.DEFINE_float("factor", 4.0, "Upsampling factor (at least 2^(1/6), about 1.1225).")
flags.DEFINE_string("model_dir", None, "An SR model to use, or where to train one "
                    "(default: OUT without extension + '_model').")
flags.DEFINE_string("reference", None, "A high-resolution ground truth: print the PSNR.")
flags.DEFINE_integer("niter", _DEFAULT.niter, "Training iterations per scale.")
flags.DEFINE_integer("max_size", _DEFAULT.max_size, "Longer side of the finest training scale.")
flags.DEFINE_integer("seed", _DEFAULT.seed, "Training seed.")
flags.DEFINE_bool("progress", True, "Show training progress.")
flags.mark_flags_as_required(["image", "out"])
FLAGS = flags.FLAGS


def main(argv):
    del argv
    super_resolution.steps(FLAGS.factor)  # validates the factor before any training
    imageio.check_output_path(FLAGS.out)
    image = imageio.load_image(FLAGS.image)
    model_dir = FLAGS.model_dir or os.path.splitext(FLAGS.out)[0] + "_model"
    try:
        with graceful_stop.on_signals() as stop:
            model = _trained_model(image, model_dir, stop_requested=stop)
        if stop:  # it came after the last iteration: stop all the same
            raise TrainingInterrupted(model_dir)
    except TrainingInterrupted:
        raise TrainingInterrupted(f"training of {model_dir} interrupted: run the same command "
                                  f"again to continue it") from None
    output = super_resolution.super_resolve(model, image, FLAGS.factor)
    imageio.save_image(output, FLAGS.out)
    print(f"{image.shape[1]}x{image.shape[0]} -> {output.shape[1]}x{output.shape[0]} "
          f"written to {FLAGS.out}")
    if FLAGS.reference:
        reference = inputs.load_fitted(FLAGS.reference, output.shape[:2], "reference")
        print(f"PSNR {super_resolution.psnr(output, reference):.2f} dB against {FLAGS.reference}")


def _trained_model(image, model_dir, stop_requested):
    """The complete SR model in `model_dir`: loaded, resumed, or trained from scratch."""
    if os.path.isfile(os.path.join(model_dir, model_dir_lib.MANIFEST)):
        manifest = model_dir_lib.read_manifest(model_dir)
        if model_dir_lib.trained_scales(model_dir) == len(manifest["sizes"]):
            return model_dir_lib.load(model_dir)[0]
        saved = TrainConfig.from_dict(manifest["config"])
        _check_resumable(saved, model_dir)
        print(f"resuming the interrupted training in {model_dir}")
        return super_resolution.train(image, saved, FLAGS.factor, model_dir,
                                      image_path=FLAGS.image, progress=FLAGS.progress,
                                      resume=True, stop_requested=stop_requested)
    config = TrainConfig(niter=FLAGS.niter, max_size=FLAGS.max_size, seed=FLAGS.seed,
                         lr_milestone=min(_DEFAULT.lr_milestone, FLAGS.niter * 4 // 5))
    model_dir_lib.prepare(model_dir)
    return super_resolution.train(image, config, FLAGS.factor, model_dir,
                                  image_path=FLAGS.image, progress=FLAGS.progress,
                                  stop_requested=stop_requested)


def _check_resumable(saved, model_dir):
    """Refuses flags that contradict the interrupted run (as train --resume does)."""
    for name in ("niter", "max_size", "seed"):
        if FLAGS[name].present and FLAGS[name].value != getattr(saved, name):
            raise ConfigError(f"--{name}={FLAGS[name].value} differs from the interrupted run "
                              f"in {model_dir} ({name}={getattr(saved, name)}): pass the same "
                              f"flags to resume it, or another --model_dir")
    wanted = super_resolution.training_config(saved, FLAGS.factor).scale_factor
    if not math.isclose(wanted, saved.scale_factor):
        raise ConfigError(f"--factor={FLAGS.factor} is not the factor the interrupted run in "
                          f"{model_dir} trains for: pass the same factor to resume it, or "
                          f"another --model_dir")


if __name__ == "__main__":
    cli.run(main)
