"""Turns a clip-art painting into an image in the style of the training image.

  python -m singan_tf.paint2image --model_dir=DIR --paint=PAINT.png --out=OUT.png
      --start_scale=K [--quantize [--image=TRAINING.png]] [--seed=S]

The paint is resized to the model's size (it must have the training image's
aspect ratio) and injected at scale K (1..N): lower K keeps less of the paint's
shapes, higher K keeps more of its flat look. --quantize first maps the paint
onto a 5-colour palette of the training image (read from --image, default the
path in model.json) and writes the quantised paint next to --out.
"""

import os

from absl import flags

from singan_tf import cli, imageio, model_dir as model_dir_lib
from singan_tf.apps import inputs, paint

flags.DEFINE_string("model_dir", None, "A trained model directory.")
flags.DEFINE_string("paint", None, "The painting (flat colour regions).")
flags.DEFINE_string("out", None, "Where the output image is written.")
flags.DEFINE_integer("start_scale", None, "Scale at which the paint is injected (1..N).")
flags.DEFINE_bool("quantize", False, "Map the paint onto the training image's 5 main colours.")
flags.DEFINE_string("image", None, "The training image (default: the path in model.json).")
flags.DEFINE_integer("seed", 0, "Seed of the noise at the injected scales.")
flags.mark_flags_as_required(["model_dir", "paint", "out", "start_scale"])
FLAGS = flags.FLAGS


def main(argv):
    del argv
    imageio.check_output_path(FLAGS.out)
    model, manifest = model_dir_lib.load(FLAGS.model_dir)
    inputs.check_start_scale(model, FLAGS.start_scale)
    size = model.sizes[-1]
    painting = inputs.load_fitted(FLAGS.paint, size, "paint")
    if FLAGS.quantize:
        real = inputs.load_real(manifest, size, FLAGS.image)
        painting, _ = paint.quantize(painting, real)
        imageio.save_image(painting, os.path.splitext(FLAGS.out)[0] + "_quantized.png")
    imageio.save_image(paint.paint2image(model, painting, FLAGS.start_scale, FLAGS.seed),
                       FLAGS.out)
    print(f"written to {FLAGS.out}")


if __name__ == "__main__":
    cli.run(main)
