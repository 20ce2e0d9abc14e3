"""Peak memory and time of sampling large outputs, tiled, one process per size.

  python benchmarks/sample_memory.py [--megapixels=1,4,16,64] [--max_memory=1]
      [--model_dir=DIR | --height=188 --width=250] [--threads=2] [--json=OUT.json]

Without --model_dir, untrained generators with the official widths are built
for the schedule of a height x width image (memory and time do not depend on
the weights). Each size is one sample written as `singan_tf.sample` writes it
(into a temporary folder beside --work_dir), with --max_memory GB for the part
made at once: above it the sample is made in tiles. Reported: the output
size, whether it was tiled and the tile edge, the peak resident set of the
process (TensorFlow's ~0.5 GiB included), the seconds, and the seconds per
megapixel.
"""

import json
import math
import resource
import subprocess
import sys
import tempfile
import time

from absl import flags

from singan_tf import cli
from singan_tf.config import TrainConfig

FLAGS = cli.flag_values()
flags.DEFINE_list("megapixels", ["1", "4", "16", "64"], "Output sizes to measure (Mpx).",
                  flag_values=FLAGS)
flags.DEFINE_float("max_memory", 1.0, "GB a sample may take at once.", flag_values=FLAGS)
flags.DEFINE_string("model_dir", None, "A trained model (default: untrained, official widths).",
                    flag_values=FLAGS)
flags.DEFINE_integer("height", 188, "Training image height for the untrained model.",
                     flag_values=FLAGS)
flags.DEFINE_integer("width", 250, "Training image width for the untrained model.",
                     flag_values=FLAGS)
flags.DEFINE_integer("threads", 2, "TF intra-op threads.", flag_values=FLAGS)
flags.DEFINE_string("work_dir", None, "Where the temporary outputs go (default: the system's).",
                    flag_values=FLAGS)
flags.DEFINE_string("json", None, "Write the results here as a JSON list.", flag_values=FLAGS)
flags.DEFINE_float("child", 0.0, "Internal: measure this one size in this process.",
                   flag_values=FLAGS)


def measure(megapixels):
    import tensorflow as tf
    from singan_tf import tiled
    from singan_tf.apps import sampling
    from untrained import model_or_untrained
    tf.config.threading.set_intra_op_parallelism_threads(FLAGS.threads)
    tf.config.threading.set_inter_op_parallelism_threads(FLAGS.threads)
    model = model_or_untrained(FLAGS.model_dir, FLAGS.height, FLAGS.width, TrainConfig())
    h, w = model.sizes[-1]
    scale = math.sqrt(megapixels * 1e6 / (h * w))
    height, width = model.output_size(scale, scale)
    budget = int(FLAGS.max_memory * 2**30)
    tiles = tiled.peak_bytes(model, scale, scale) > budget
    with tempfile.TemporaryDirectory(dir=FLAGS.work_dir) as out:
        start = time.perf_counter()
        sampling.write_samples(model, out, 1, seed=0, scale_h=scale, scale_w=scale,
                               max_memory=budget)
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"megapixels": height * width / 1e6, "height": height, "width": width,
            "tiled": tiles, "tile": tiled.tile_edge(model, budget // 2) if tiles else None,
            "peak_rss_mib": round(peak), "seconds": round(seconds, 1),
            "seconds_per_mpx": round(seconds / (height * width / 1e6), 2),
            "threads": FLAGS.threads}


def main():
    if FLAGS.child:
        print(json.dumps(measure(FLAGS.child)))
        return
    print(f"max_memory {FLAGS.max_memory} GB, threads {FLAGS.threads}, "
          f"{'model ' + FLAGS.model_dir if FLAGS.model_dir else 'official widths, untrained'}")
    print(f"{'Mpx':>7} {'size':>11} {'tile':>5} {'peak RSS':>10} {'seconds':>8} {'s/Mpx':>6}")
    results = []
    for megapixels in FLAGS.megapixels:
        args = [sys.executable, __file__, f"--child={megapixels}",
                f"--max_memory={FLAGS.max_memory}", f"--threads={FLAGS.threads}",
                f"--height={FLAGS.height}", f"--width={FLAGS.width}"]
        args += [f"--model_dir={FLAGS.model_dir}"] if FLAGS.model_dir else []
        args += [f"--work_dir={FLAGS.work_dir}"] if FLAGS.work_dir else []
        out = subprocess.run(args, capture_output=True, text=True)
        if out.returncode:
            print(f"{megapixels:>7} failed: {out.stderr.strip().splitlines()[-1:]}", flush=True)
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(r)
        print(f"{r['megapixels']:>7.1f} {r['height']:>5}x{r['width']:<5} "
              f"{r['tile'] or '-':>5} {r['peak_rss_mib']:>6} MiB {r['seconds']:>8} "
              f"{r['seconds_per_mpx']:>6}", flush=True)
    if FLAGS.json:
        with open(FLAGS.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    cli.run(main, FLAGS)
