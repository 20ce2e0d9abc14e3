"""Super-resolves an image with SinGAN.

  python -m singan_tf.super_resolve --image=LR.png --out=SR.png --factor=4
      [--model_dir=DIR] [--reference=HR.png] [--flagfile=flags/super_resolve.cfg]

A --model_dir that holds a complete model is used as it is; one that holds an
interrupted run is resumed (run the same command again after Ctrl-C);
otherwise a model is trained on --image with the SR settings (alpha 100,
min_size 18, ratio factor^(1/k)) into --model_dir (default: next to --out).
Then the finest generator is applied k times, each with fresh noise from --seed
(as the reference: the output is stochastic, and the same seed gives the same
output). With --reference, the PSNR of the output against it is printed.
"""

import os

from absl import flags

from singan_tf import cli
from singan_tf.config import TrainConfig
from singan_tf.errors import TrainingInterrupted

_DEFAULT = TrainConfig()

FLAGS = cli.flag_values()
flags.DEFINE_string("image", None, "The low-resolution image.", flag_values=FLAGS)
flags.DEFINE_string("out", None, "Where the super-resolved image is written.", flag_values=FLAGS)
flags.DEFINE_float("factor", 4.0, "Upsampling factor (at least 2^(1/6), about 1.1225).",
                   flag_values=FLAGS)
flags.DEFINE_string("model_dir", None, "An SR model to use, or where to train one "
                    "(default: OUT without extension + '_model').", flag_values=FLAGS)
flags.DEFINE_string("reference", None, "A high-resolution ground truth: print the PSNR.",
                    flag_values=FLAGS)
flags.DEFINE_integer("niter", _DEFAULT.niter, "Training iterations per scale.", flag_values=FLAGS)
flags.DEFINE_integer("max_size", _DEFAULT.max_size, "Longer side of the finest training scale.",
                     flag_values=FLAGS)
flags.DEFINE_integer("seed", _DEFAULT.seed, "Seed of the training (when it trains) and of the "
                     "noise each step draws: same seed, same output.", flag_values=FLAGS)
flags.DEFINE_bool("progress", True, "Show training progress (and the tiles of a tiled "
                  "output).", flag_values=FLAGS)
flags.DEFINE_float("max_memory", None, "GB the output may take at once (default: a quarter of "
                   "this machine's memory); a larger one is made in tiles.", lower_bound=0.01,
                   flag_values=FLAGS)
flags.DEFINE_integer("tile", None, "Make the output in tiles of this many pixels a side.",
                     lower_bound=1, flag_values=FLAGS)
flags.mark_flags_as_required(["image", "out"], flag_values=FLAGS)


def main():
    from singan_tf.apps import inputs, super_resolution  # TensorFlow loads here
    from singan_tf.io import images
    from singan_tf.io.model_dir import ModelDir
    from singan_tf.metrics import fidelity
    from singan_tf.training import graceful_stop

    super_resolution.steps(FLAGS.factor)  # validates the factor before any training
    images.check_output_path(FLAGS.out)
    image = images.load_image(FLAGS.image)
    model_dir = ModelDir(FLAGS.model_dir or os.path.splitext(FLAGS.out)[0] + "_model")
    config = TrainConfig(niter=FLAGS.niter, max_size=FLAGS.max_size, seed=FLAGS.seed,
                         lr_milestone=min(_DEFAULT.lr_milestone, FLAGS.niter * 4 // 5))
    given = {name: FLAGS[name].value for name in ("niter", "max_size", "seed")
             if FLAGS[name].present}
    try:
        with model_dir.lock(), graceful_stop.on_signals() as stop:
            model, how = super_resolution.load_or_train(
                image, FLAGS.factor, model_dir, config, given, image_path=FLAGS.image,
                progress=FLAGS.progress, stop_requested=stop)
        if stop:  # it came after the last iteration: stop all the same
            raise TrainingInterrupted(model_dir.path)
    except TrainingInterrupted:
        raise TrainingInterrupted(f"training of {model_dir.path} interrupted: run the same "
                                  f"command again to continue it") from None
    if how == "resumed":
        print(f"resumed the interrupted training in {model_dir.path}")
    max_memory = int(FLAGS.max_memory * 2**30) if FLAGS.max_memory else None
    height, width = super_resolution.write(model, image, FLAGS.factor, FLAGS.out, FLAGS.seed,
                                           max_memory, FLAGS.tile, FLAGS.progress)
    print(f"{image.shape[1]}x{image.shape[0]} -> {width}x{height} written to {FLAGS.out}")
    if FLAGS.reference:
        reference = inputs.load_fitted(FLAGS.reference, (height, width), "reference")
        output = images.load_image(FLAGS.out)
        psnr, _ = fidelity.psnr_ssim(output, images.quantized(reference))
        print(f"PSNR {psnr:.2f} dB against {FLAGS.reference}")


if __name__ == "__main__":
    cli.run(main, FLAGS)
