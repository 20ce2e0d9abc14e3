"""Size and latency per sample of the exported model: TFLite (LiteRT) vs TensorFlow.

  python benchmarks/tflite_speed.py --export_dir=saved_models/NAME [--version=N]
      [--runs=20] [--threads=1] [--diff_seeds=20] [--json=OUT.json]

Times, per sample at the training size, after one warm-up call: the .tflite in
the LiteRT interpreter (noise drawn beforehand, as tflite_sample does), and the
SavedModel's serving_default signature (batch 1, seeded noise drawn in the
graph). Also the largest uint8 difference between the two for the same seeds
(TFLite noise drawn by the NumPy port of TF's stateless normal).
"""

import json
import os

from absl import flags
import numpy as np

from singan_tf import cli
from timing import median_seconds

FLAGS = cli.flag_values()
flags.DEFINE_string("export_dir", "saved_models/pebbles", "An export: DIR/N/ and DIR.tflite.",
                    flag_values=FLAGS)
flags.DEFINE_integer("diff_seeds", 20, "Seeds compared between TFLite and the SavedModel.",
                     flag_values=FLAGS)
flags.DEFINE_integer("version", None, "SavedModel version (default: the highest).",
                     flag_values=FLAGS)
flags.DEFINE_integer("runs", 20, "Timed calls per runtime.", flag_values=FLAGS)
flags.DEFINE_integer("threads", 1, "Threads for both runtimes.", flag_values=FLAGS)
flags.DEFINE_string("json", None, "Write the results here as JSON.", flag_values=FLAGS)


def dir_size(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files)


def main():
    import tensorflow as tf
    from singan_tf.deploy.litert import TFLiteSampler
    tf.config.threading.set_intra_op_parallelism_threads(FLAGS.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    versions = [int(e) for e in os.listdir(FLAGS.export_dir) if e.isdigit()]
    saved_model = os.path.join(FLAGS.export_dir, str(FLAGS.version or max(versions)))
    tflite = FLAGS.export_dir.rstrip("/") + ".tflite"

    sampler = TFLiteSampler(tflite, num_threads=FLAGS.threads)
    noise = sampler.noise(0)
    loaded = tf.saved_model.load(saved_model)
    seed = tf.constant([0], tf.int64)
    default = loaded.signatures["serving_default"]

    results = {
        "tflite_bytes": os.path.getsize(tflite),
        "saved_model_bytes": dir_size(saved_model),
        "output_shape": list(sampler.run(noise).shape),
        "tflite_ms_per_sample": 1000 * median_seconds(lambda: sampler.run(noise), FLAGS.runs),
        "saved_model_ms_per_sample": 1000 * median_seconds(
            lambda: default(seed=seed)["images"].numpy(), FLAGS.runs),
        "threads": FLAGS.threads,
    }
    diffs = [np.abs(sampler.run(sampler.noise(s)).astype(int)
                    - default(seed=tf.constant([s], tf.int64))["images"].numpy()).max()
             for s in range(FLAGS.diff_seeds)]
    results["max_abs_diff_uint8"] = int(max(diffs))
    results["diff_seeds"] = FLAGS.diff_seeds
    print(json.dumps(results, indent=2))
    if FLAGS.json:
        with open(FLAGS.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    cli.run(main, FLAGS)
