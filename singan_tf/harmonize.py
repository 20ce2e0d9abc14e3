"""Harmonizes an object pasted into the training image with the image's style.

  python -m singan_tf.harmonize --model_dir=DIR --naive=NAIVE.png --mask=MASK.png
      --out=OUT.png --start_scale=K [--fine_tune_iters=N] [--image=TRAINING.png]

The naive paste is injected at scale K (1..N) and the output is blended into
the training image (--image, default the path in model.json) through the mask
dilated by --dilation px and blurred by --blur_sigma. With --fine_tune_iters
> 0 the finest --fine_tune_scales scales (from K up) are first trained that
many iterations with the naive image injected at K as their input, against the
training image (ConSinGAN's fine-tuning; in memory, the model on disk is
unchanged).
"""

from absl import flags

from singan_tf import cli

FLAGS = cli.flag_values()
flags.DEFINE_string("model_dir", None, "A model trained on the background (style) image.",
                    flag_values=FLAGS)
flags.DEFINE_string("naive", None, "The training image with the object pasted in.",
                    flag_values=FLAGS)
flags.DEFINE_string("mask", None, "Where the object is (any image; bright = object).",
                    flag_values=FLAGS)
flags.DEFINE_string("out", None, "Where the harmonized image is written.", flag_values=FLAGS)
flags.DEFINE_integer("start_scale", None, "Scale at which the paste is injected (1..N).",
                     flag_values=FLAGS)
flags.DEFINE_integer("fine_tune_iters", 0, "Fine-tune with the naive image as input first "
                     "(0 = no).",
                     lower_bound=0, flag_values=FLAGS)
flags.DEFINE_integer("fine_tune_scales", 1, "How many of the finest scales to fine-tune.",
                     lower_bound=1, flag_values=FLAGS)
flags.DEFINE_string("image", None, "The training image (default: the path in model.json).",
                    flag_values=FLAGS)
flags.DEFINE_integer("dilation", 7, "Mask dilation radius (px).", lower_bound=0,
                     flag_values=FLAGS)
flags.DEFINE_float("blur_sigma", 5.0, "Mask blur sigma (px).", lower_bound=0.0,
                   flag_values=FLAGS)
flags.DEFINE_integer("seed", 0, "Seed of the noise at the injected scales.", flag_values=FLAGS)
flags.mark_flags_as_required(["model_dir", "naive", "mask", "out", "start_scale"],
                             flag_values=FLAGS)


def main():
    from singan_tf.apps import fine_tuning, injection, inputs  # TensorFlow loads here
    from singan_tf.io import images
    from singan_tf.io.model_dir import ModelDir

    images.check_output_path(FLAGS.out)
    model_dir = ModelDir(FLAGS.model_dir)
    model, manifest = model_dir.load()
    inputs.check_start_scale(model, FLAGS.start_scale)
    size = model.sizes[-1]
    naive = inputs.load_fitted(FLAGS.naive, size, "naive image")
    mask = inputs.load_mask(FLAGS.mask, size)
    real = inputs.load_real(manifest, size, FLAGS.image)
    if FLAGS.fine_tune_iters > 0:
        with model_dir.lock():
            model = fine_tuning.fine_tune(model_dir, real, naive, FLAGS.start_scale,
                                          FLAGS.fine_tune_iters, FLAGS.fine_tune_scales)
    out, _ = injection.inject_and_blend(model, real, naive, mask, FLAGS.start_scale, FLAGS.seed,
                                        FLAGS.dilation, FLAGS.blur_sigma)
    images.save_image(out, FLAGS.out)
    print(f"written to {FLAGS.out}")


if __name__ == "__main__":
    cli.run(main, FLAGS)
