"""Milliseconds per sample at the training size, batch 1 and 16, in each runtime.

  python benchmarks/sample_speed.py [--height=188 --width=250] [--flagfile=flags/fast.cfg]
      [--model_dir=DIR] [--threads=2] [--runs=10] [--json=OUT.json]

Without --model_dir, times untrained generators of the architecture the
training flags describe (official by default) for a height x width image:
speed does not depend on the weights. Runtimes: TensorFlow (the sample
command's compiled call: seeds in, one pyramid run per batch), the sample
command's loop (`write_batches`: four batches, their PNGs written in the
background), the exported SavedModel's
serving_default signature (seeds in, uint8 out; it maps over the seeds, so a
batch is a loop), and the .tflite in the LiteRT interpreter (noise drawn
beforehand, as tflite_sample does). Each figure is the median of --runs calls
after a warm-up call. GFLOP/s counts the generators' convolutions only.
"""

import json
import os
import tempfile

from absl import flags
import numpy as np

from flops import sample_flops
from singan_tf import cli
from timing import median_seconds, onednn_settings

FLAGS = cli.flag_values()
cli.define_config_flags(FLAGS)
flags.DEFINE_string("model_dir", None, "A trained model (default: untrained, --flagfile "
                    "widths).", flag_values=FLAGS)
flags.DEFINE_integer("height", 188, "Training image height for the untrained model.",
                     flag_values=FLAGS)
flags.DEFINE_integer("width", 250, "Training image width for the untrained model.",
                     flag_values=FLAGS)
flags.DEFINE_list("batches", ["1", "16"], "Batch sizes to time.", flag_values=FLAGS)
flags.DEFINE_integer("threads", 2, "Threads for every runtime.", flag_values=FLAGS)
flags.DEFINE_integer("runs", 10, "Timed calls per figure.", flag_values=FLAGS)
flags.DEFINE_string("json", None, "Write the results here as a JSON list.", flag_values=FLAGS)


def runtimes(model, batch, work_dir):
    """(name, zero-argument call, samples it makes) for each runtime."""
    import tensorflow as tf
    from singan_tf.apps import sampling
    from singan_tf.deploy import serving, tflite
    from singan_tf.deploy.litert import TFLiteSampler

    generate = sampling.batch_generator(model, batch)
    yield "tensorflow", lambda: generate(list(range(batch))), batch
    out_dir = os.path.join(work_dir, "samples")
    os.makedirs(out_dir)
    yield "command", lambda: sampling.write_batches(generate, out_dir, 4 * batch, 0, batch), \
        4 * batch

    saved = tf.saved_model.load(
        serving.save(model, os.path.join(work_dir, "saved"), max_batch=batch))
    seeds = tf.range(batch, dtype=tf.int64)
    serving_default = saved.signatures["serving_default"]
    yield "saved_model", lambda: serving_default(seed=seeds)["images"].numpy(), batch

    path = os.path.join(work_dir, f"batch{batch}.tflite")
    with open(path, "wb") as f:
        f.write(tflite.convert(model, batch))
    sampler = TFLiteSampler(path, num_threads=FLAGS.threads)
    noise = [np.random.default_rng(0).standard_normal(d["shape"], np.float32)
             for d in sampler.inputs]
    yield "tflite", lambda: sampler.run(noise), batch


def main():
    import tensorflow as tf
    from untrained import model_or_untrained
    tf.config.threading.set_intra_op_parallelism_threads(FLAGS.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    model = model_or_untrained(FLAGS.model_dir, FLAGS.height, FLAGS.width,
                               cli.config_from_flags(FLAGS))
    h, w = model.sizes[-1]
    widths = [g.nfc for g in model.generators]
    print(f"{model.num_scales} scales, output {h}x{w}, widths {widths}, threads {FLAGS.threads}, "
          f"{sample_flops(model) / 1e9:.2f} GFLOP per sample, {onednn_settings()}")
    print(f"{'runtime':>12} {'batch':>5} {'ms/sample':>10} {'GFLOP/s':>8}")
    results = []
    with tempfile.TemporaryDirectory() as work_dir:
        for batch in map(int, FLAGS.batches):
            for name, call, count in runtimes(model, batch, os.path.join(work_dir, str(batch))):
                per_sample = median_seconds(call, FLAGS.runs) / count
                gflops = sample_flops(model) / per_sample / 1e9
                print(f"{name:>12} {batch:>5} {1000 * per_sample:>10.1f} {gflops:>8.1f}",
                      flush=True)
                results.append({"runtime": name, "batch": batch, "height": h, "width": w,
                                "ms_per_sample": 1000 * per_sample, "gflops": gflops,
                                "threads": FLAGS.threads})
    if FLAGS.json:
        with open(FLAGS.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    cli.run(main, FLAGS)
