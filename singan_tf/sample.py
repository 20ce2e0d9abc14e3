"""Draws random samples from a trained SinGAN.

  python -m singan_tf.sample --model_dir=DIR --out_dir=DIR --num_samples=N --seed=S
      [--start_scale=K] [--scale_h=H --scale_w=W]

Sample i is a pure function of seed S + i, so the same seed gives the same
images. --start_scale=0 generates from noise at the coarsest scale; K > 0 keeps
the reconstruction below scale K (the paper's "N-k" samples). --scale_h and
--scale_w scale every noise map, from the coarsest up, so samples come in any
size and aspect ratio; the reconstruction exists only at the training size,
so they need --start_scale=0.
"""

import os

from absl import flags, logging
import tensorflow as tf

from singan_tf import cli, imageio, model_dir as model_dir_lib
from singan_tf.errors import ConfigError

flags.DEFINE_string("model_dir", None, "A trained model directory.")
flags.DEFINE_string("out_dir", None, "Where sample_000.png, sample_001.png, ... are written.")
flags.DEFINE_integer("num_samples", 10, "How many samples.", lower_bound=1)
flags.DEFINE_integer("seed", 0, "Seed of the first sample; sample i uses seed + i.")
flags.DEFINE_integer("start_scale", 0, "First scale that draws fresh noise (0 = coarsest).")
flags.DEFINE_float("scale_h", 1.0, "Output height relative to the training image.")
flags.DEFINE_float("scale_w", 1.0, "Output width relative to the training image.")
flags.mark_flags_as_required(["model_dir", "out_dir"])
FLAGS = flags.FLAGS


def main(argv):
    del argv
    model, manifest = model_dir_lib.load(FLAGS.model_dir)
    planned = len(manifest["sizes"])
    if model.num_scales < planned:
        logging.warning("model_dir holds %d of %d scales: sampling from the trained ones",
                        model.num_scales, planned)
    if not 0 <= FLAGS.start_scale < model.num_scales:
        raise ConfigError(f"start_scale={FLAGS.start_scale} must be in 0..{model.num_scales - 1}")
    model.output_size(FLAGS.scale_h, FLAGS.scale_w)  # refuses sizes outside the budget
    if FLAGS.start_scale > 0 and (FLAGS.scale_h, FLAGS.scale_w) != (1.0, 1.0):
        raise ConfigError("start_scale > 0 keeps the reconstruction, which exists only at the "
                          "training size: use --start_scale=0 with --scale_h/--scale_w")
    os.makedirs(FLAGS.out_dir, exist_ok=True)

    @tf.function
    def sample(seed):
        return model.generate(model.seeded_noise(seed, FLAGS.scale_h, FLAGS.scale_w),
                              start_scale=FLAGS.start_scale)

    for i in range(FLAGS.num_samples):
        image = sample(tf.constant(FLAGS.seed + i, tf.int64))[0]
        imageio.save_image(image.numpy(), os.path.join(FLAGS.out_dir, f"sample_{i:03d}.png"))
    print(f"{FLAGS.num_samples} samples written to {FLAGS.out_dir}")


if __name__ == "__main__":
    cli.run(main)
