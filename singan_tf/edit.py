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

from singan_tf import cli

FLAGS = cli.flag_values()
flags.DEFINE_string("model_dir", None, "A model trained on the image that was edited.",
                    flag_values=FLAGS)
flags.DEFINE_string("edited", None, "The edited image.", flag_values=FLAGS)
flags.DEFINE_string("mask", None, "Where the edit is (any image; bright = edited).",
                    flag_values=FLAGS)
flags.DEFINE_string("out", None, "Where the blended image is written (raw: OUT_raw.png).",
                    flag_values=FLAGS)
flags.DEFINE_integer("start_scale", None, "Scale at which the edit is injected (1..N).",
                     flag_values=FLAGS)
flags.DEFINE_string("image", None, "The training image (default: the path in model.json).",
                    flag_values=FLAGS)
flags.DEFINE_integer("dilation", 20, "Mask dilation radius (px).", lower_bound=0,
                     flag_values=FLAGS)
flags.DEFINE_float("blur_sigma", 5.0, "Mask blur sigma (px).", lower_bound=0.0,
                   flag_values=FLAGS)
flags.DEFINE_integer("seed", 0, "Seed of the noise at the injected scales.", flag_values=FLAGS)
flags.mark_flags_as_required(["model_dir", "edited", "mask", "out", "start_scale"],
                             flag_values=FLAGS)


def raw_path(out):
    """OUT_raw.EXT beside OUT.EXT: the generator's output before blending."""
    stem, extension = os.path.splitext(out)
    return f"{stem}_raw{extension}"


def main():
    from singan_tf.apps import injection, inputs  # TensorFlow loads here
    from singan_tf.io import images
    from singan_tf.io.model_dir import ModelDir

    images.check_output_path(FLAGS.out)
    model, manifest = ModelDir(FLAGS.model_dir).load()
    inputs.check_start_scale(model, FLAGS.start_scale)
    size = model.sizes[-1]
    edited = inputs.load_fitted(FLAGS.edited, size, "edited image")
    mask = inputs.load_mask(FLAGS.mask, size)
    real = inputs.load_real(manifest, size, FLAGS.image)
    blended, raw = injection.inject_and_blend(model, real, edited, mask, FLAGS.start_scale,
                                              FLAGS.seed, FLAGS.dilation, FLAGS.blur_sigma)
    images.save_image(blended, FLAGS.out)
    images.save_image(raw, raw_path(FLAGS.out))
    print(f"written to {FLAGS.out} and {raw_path(FLAGS.out)}")


if __name__ == "__main__":
    cli.run(main, FLAGS)
