"""Peak memory of sampling one large image, to size outputs for a machine.

  python benchmarks/sample_memory.py [--model_dir=DIR | --height=188 --width=250]
      --scale=4 [--threads=1]

With --model_dir the model is loaded; without it, untrained generators with
the official widths are built for the schedule of a height x width image
(memory does not depend on the weights). Prints the resident set before
sampling, its peak during one sample at --scale x --scale, and the difference.
Run one scale per process: the peak is a process-wide high-water mark.
"""

import resource
import time

from absl import flags

from singan_tf import cli
from singan_tf.config import TrainConfig

FLAGS = cli.flag_values()
flags.DEFINE_string("model_dir", None, "A trained model (default: untrained, official widths).",
                    flag_values=FLAGS)
flags.DEFINE_integer("height", 188, "Training image height for the untrained model.",
                     flag_values=FLAGS)
flags.DEFINE_integer("width", 250, "Training image width for the untrained model.",
                     flag_values=FLAGS)
flags.DEFINE_float("scale", 4.0, "Output size relative to the training size, both directions.",
                   flag_values=FLAGS)
flags.DEFINE_integer("threads", 1, "TF intra-op threads.", flag_values=FLAGS)


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main():
    import tensorflow as tf
    from untrained import model_or_untrained
    tf.config.threading.set_intra_op_parallelism_threads(FLAGS.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    model = model_or_untrained(FLAGS.model_dir, FLAGS.height, FLAGS.width, TrainConfig())
    model.generate(model.seeded_noise(0, 0.5, 0.5))  # warm up kernels on a small sample
    before = peak_rss_mib()
    start = time.perf_counter()
    image = model.generate(model.seeded_noise(0, FLAGS.scale, FLAGS.scale))
    seconds = time.perf_counter() - start
    peak = peak_rss_mib()
    h, w = image.shape[1:3]
    print(f"{len(model.sizes)} scales, training size {model.sizes[-1][0]}x{model.sizes[-1][1]}, "
          f"output {h}x{w} ({h * w / 1e6:.2f} Mpx): RSS before {before:.0f} MiB, "
          f"peak {peak:.0f} MiB, sampling added {peak - before:.0f} MiB, {seconds:.1f} s")


if __name__ == "__main__":
    cli.run(main, FLAGS)
