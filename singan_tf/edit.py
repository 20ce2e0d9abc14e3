"""Makes a crude edit of the training image look natural.

  python -m singan_tf.edit --model_dir=DIR --edited=EDIT.png --mask=MASK.png
      --out=OUT.png --start_scale=K [--image=TRAINING.png]

The edited image is injected at scale K (1..N). OUT is the output blended into
the training image (--image, default the path in model.json) through the mask
dilated by --dilation px and blurred by --blur_sigma; OUT_raw.png (beside it)
is the generator's output before blending.
"""

import os

from absl import flags

from singan_tf import cli, imageio, model_dir as model_dir_lib
from singan_tf.apps import edit, inputs, masks

flags.DEFINE_string("model_dir", None, "A model trained on the image that was edited.")
flags.DEFINE_string("edited", None, "The edited image.")
flags.DEFINE_string("mask", None, "Where the edit is (any image; bright = edited).")
flags.DEFINE_string("out", None, "Where the blended image is written (raw: OUT_raw.png).")
flags.DEFINE_integer("start_scale", None, "Scale at which the edit is injected (1..N).")
flags.DEFINE_string("image", None, "The training image (default: the path in model.json).")
flags.DEFINE_integer("dilation", masks.EDITING_RADIUS, "Mask dilation radius (px).",
                     lower_bound=0)
flags.DEFINE_float("blur_sigma", masks.SIGMA, "Mask blur sigma (px).", lower_bound=0.0)
flags.DEFINE_integer("seed", 0, "Seed of the noise at the injected scales.")
flags.mark_flags_as_required(["model_dir", "edited", "mask", "out", "start_scale"])
FLAGS = flags.FLAGS


def raw_path(out):
    return os.path.splitext(out)[0] + "_raw" + os.path.splitext(out)[1]


def main(argv):
    del argv
    imageio.check_output_path(FLAGS.out)
    model, manifest = model_dir_lib.load(FLAGS.model_dir)
    inputs.check_start_scale(model, FLAGS.start_scale)
    size = model.sizes[-1]
    edited = inputs.load_fitted(FLAGS.edited, size, "edited image")
    mask = inputs.load_mask(FLAGS.mask, size)
    real = inputs.load_real(manifest, size, FLAGS.image)
    blended, raw = edit.edit(model, real, edited, mask, FLAGS.start_scale, FLAGS.seed,
                             FLAGS.dilation, FLAGS.blur_sigma)
    imageio.save_image(blended, FLAGS.out)
    imageio.save_image(raw, raw_path(FLAGS.out))
    print(f"written to {FLAGS.out} and {raw_path(FLAGS.out)}")


if __name__ == "__main__":
    cli.run(main)
