"""Turns a clip-art painting into an image in the style of the training image.

  python -m singan_tf.paint2image --model_dir=DIR --paint=PAINT.png --out=OUT.png
      --start_scale=K [--quantize [--retrain --retrain_iters=2000]] [--image=TRAINING.png]

The paint is resized to the model's size (it must have the training image's
aspect ratio) and injected at scale K (1..N): lower K keeps less of the paint's
shapes, higher K keeps more of its flat look. --quantize first maps the paint
onto the 5 main colours of the training image at scale K (read from --image,
default the path in model.json) and writes the quantized paint next to --out.
--retrain then retrains scale K on inputs mapped onto that palette, as the
reference does (--retrain_iters iterations, in memory; flags/paint2image.cfg
does both); without it the model is used as trained.
"""

import os

from absl import flags

from singan_tf import cli
from singan_tf.errors import ConfigError

FLAGS = cli.flag_values()
flags.DEFINE_string("model_dir", None, "A trained model directory.", flag_values=FLAGS)
flags.DEFINE_string("paint", None, "The painting (flat colour regions).", flag_values=FLAGS)
flags.DEFINE_string("out", None, "Where the output image is written.", flag_values=FLAGS)
flags.DEFINE_integer("start_scale", None, "Scale at which the paint is injected (1..N).",
                     flag_values=FLAGS)
flags.DEFINE_bool("quantize", False, "Map the paint onto the training image's 5 main colours "
                  "at the injection scale.", flag_values=FLAGS)
flags.DEFINE_bool("retrain", False, "With --quantize: retrain the injection scale on inputs "
                  "mapped onto that palette first, as the reference does.", flag_values=FLAGS)
flags.DEFINE_integer("retrain_iters", 2000, "Iterations of --retrain (the reference's).",
                     lower_bound=1, flag_values=FLAGS)
flags.DEFINE_string("image", None, "The training image (default: the path in model.json).",
                    flag_values=FLAGS)
flags.DEFINE_integer("seed", 0, "Seed of the noise at the injected scales.", flag_values=FLAGS)
flags.mark_flags_as_required(["model_dir", "paint", "out", "start_scale"], flag_values=FLAGS)


def quantized_path(out):
    """OUT_quantized.png beside OUT: the paint on the training image's palette."""
    return os.path.splitext(out)[0] + "_quantized.png"


def main():
    from singan_tf.apps import inputs, paint  # TensorFlow loads here
    from singan_tf.io import images
    from singan_tf.io.model_dir import ModelDir

    if FLAGS.retrain and not FLAGS.quantize:
        raise ConfigError("--retrain trains on the quantized palette: it needs --quantize")
    images.check_output_path(FLAGS.out)
    model_dir = ModelDir(FLAGS.model_dir)
    model, manifest = model_dir.load()
    inputs.check_start_scale(model, FLAGS.start_scale)
    size = model.sizes[-1]
    painting = inputs.load_fitted(FLAGS.paint, size, "paint")
    if FLAGS.quantize:
        real = inputs.load_real(manifest, size, FLAGS.image)
        centers = paint.palette(model, real, FLAGS.start_scale)
        painting = paint.to_palette(painting, centers).numpy()
        images.save_image(painting, quantized_path(FLAGS.out))
        if FLAGS.retrain:
            with model_dir.lock():
                model = paint.retrain(model_dir, real, FLAGS.start_scale, centers,
                                      FLAGS.retrain_iters)
    output = paint.paint2image(model, painting, FLAGS.start_scale, FLAGS.seed, FLAGS.retrain)
    images.save_image(output, FLAGS.out)
    print(f"written to {FLAGS.out}")


if __name__ == "__main__":
    cli.run(main, FLAGS)
