"""Draws random samples from a trained SinGAN.

  python -m singan_tf.sample --model_dir=DIR --out_dir=DIR --num_samples=N --seed=S
      [--start_scale=K [--noise_gain=G]] [--scale_h=H --scale_w=W] [--batch_size=B]

Sample i is a pure function of seed S + i, so the same seed gives the same
images. --start_scale=0 generates from noise at the coarsest scale; K > 0 keeps
the reconstruction below scale K (the paper's "N-k" samples); --noise_gain=G
makes scale K's noise G times as strong, for more varied samples. --scale_h and
--scale_w scale every noise map, from the coarsest up, so samples come in any
size and aspect ratio, of any size: a sample above --max_memory is made in
tiles (the same image to float32 rounding) and written as they are made; above 2^28
pixels it is a folder of PNG tiles with an index.json. The reconstruction
exists only at the training size, so other sizes need --start_scale=0.
--batch_size=B makes B samples per compiled call, faster per sample, each
within one uint8 level of the sample made alone (convolutions of another batch
size round differently); 1 gives the SavedModel's bits.
"""

from absl import flags

from singan_tf import cli

FLAGS = cli.flag_values()
flags.DEFINE_string("model_dir", None, "A trained model directory.", flag_values=FLAGS)
flags.DEFINE_string("out_dir", None, "Where sample_000.png, sample_001.png, ... are written.",
                    flag_values=FLAGS)
flags.DEFINE_integer("num_samples", 10, "How many samples.", lower_bound=1, flag_values=FLAGS)
flags.DEFINE_integer("seed", 0, "Seed of the first sample; sample i uses seed + i.",
                     flag_values=FLAGS)
flags.DEFINE_integer("start_scale", 0, "First scale that draws fresh noise (0 = coarsest).",
                     flag_values=FLAGS)
flags.DEFINE_float("noise_gain", 1.0, "Multiplies the noise amplitude at --start_scale: above 1, "
                   "more varied layouts for some fidelity (docs/quality.md measures it).",
                   lower_bound=0.0, flag_values=FLAGS)
flags.DEFINE_float("scale_h", 1.0, "Output height relative to the training image.",
                   flag_values=FLAGS)
flags.DEFINE_float("scale_w", 1.0, "Output width relative to the training image.",
                   flag_values=FLAGS)
flags.DEFINE_float("max_memory", None, "GB a sample may take at once (default: a quarter of "
                   "this machine's memory); a larger one is made in tiles.", lower_bound=0.01,
                   flag_values=FLAGS)
flags.DEFINE_integer("tile", None, "Make every sample in tiles of this many pixels a side "
                     "(default: only those above --max_memory, in the largest tiles that fit).",
                     lower_bound=1, flag_values=FLAGS)
flags.DEFINE_integer("batch_size", 1, "Samples per compiled call (fewer when that many do not "
                     "fit in --max_memory; tiled samples are made one by one).", lower_bound=1,
                     flag_values=FLAGS)
flags.DEFINE_bool("progress", True, "Show the tiles done and the ETA of a tiled sample.",
                  flag_values=FLAGS)
flags.mark_flags_as_required(["model_dir", "out_dir"], flag_values=FLAGS)


def main():
    from singan_tf.apps import sampling  # TensorFlow loads here
    from singan_tf.io import atomic
    from singan_tf.io.model_dir import ModelDir

    atomic.check_writable_dir(FLAGS.out_dir)
    model, _ = ModelDir(FLAGS.model_dir).load(warn_if_partial=True)
    max_memory = int(FLAGS.max_memory * 2**30) if FLAGS.max_memory else None
    sampling.write_samples(model, FLAGS.out_dir, FLAGS.num_samples, FLAGS.seed,
                           FLAGS.start_scale, FLAGS.scale_h, FLAGS.scale_w, max_memory,
                           FLAGS.tile, FLAGS.progress, batch_size=FLAGS.batch_size,
                           noise_gain=FLAGS.noise_gain)
    print(f"{FLAGS.num_samples} samples written to {FLAGS.out_dir}")


if __name__ == "__main__":
    cli.run(main, FLAGS)
