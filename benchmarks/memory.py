"""Peak memory (RSS) of training with the official settings, per max_size.

  python benchmarks/memory.py [--max_sizes=250,500] [--iters=2] [--threads=2]
      [--inter_threads=0] [--finest_only]

Each size runs in a process of its own: by default a real training run
(`trainer.train`, every scale, `iters` iterations each, checkpoints and
summaries included) into a temporary directory, so the figure is what a user's
run peaks at; memory does not depend on the iteration count or the weights.
`--finest_only` instead runs one trainer of the finest scale on top of untrained
coarser scales: that scale's own need (a whole run peaks within 70 MiB of it
at 250 px, since each scale's compiled step is freed: docs/performance.md).
Reported: the process's peak resident set size and the peak of TensorFlow's
CPU allocator (the tensors alive at once; the rest of the RSS is the runtime,
about 0.5 GiB for TensorFlow itself, and what the allocator holds). The image
is synthetic (4:3), large enough that max_size decides the sizes.
"""

import json
import resource
import subprocess
import sys
import tempfile
import time

from absl import flags

from singan_tf import cli

FLAGS = cli.flag_values()
flags.DEFINE_list("max_sizes", ["250", "500"], "Finest-scale sizes to measure.",
                  flag_values=FLAGS)
flags.DEFINE_integer("iters", 2, "Iterations per scale (the first one is traced).",
                     flag_values=FLAGS)
flags.DEFINE_bool("finest_only", False, "Measure one trainer of the finest scale alone.",
                  flag_values=FLAGS)
flags.DEFINE_integer("threads", 2, "TF intra-op threads.", flag_values=FLAGS)
flags.DEFINE_integer("inter_threads", 0, "TF inter-op threads (0: TF's default, the core "
                     "count, as training uses).", flag_values=FLAGS)
flags.DEFINE_integer("child", 0, "Internal: measure this one max_size in this process.",
                     flag_values=FLAGS)


def measure(max_size):
    import numpy as np
    import tensorflow as tf
    from singan_tf import models, pyramid
    from singan_tf.config import TrainConfig
    from singan_tf.io.model_dir import ModelDir
    from singan_tf.singan import SinGAN
    from singan_tf.training import loop
    from singan_tf.training.step import ScaleTrainer
    tf.config.threading.set_intra_op_parallelism_threads(FLAGS.threads)
    tf.config.threading.set_inter_op_parallelism_threads(FLAGS.inter_threads)

    config = TrainConfig(max_size=max_size, niter=FLAGS.iters, lr_milestone=FLAGS.iters)
    height, width = 3 * max_size // 4, max_size
    image = np.random.default_rng(0).uniform(-1, 1, (height, width, 3)).astype(np.float32)
    schedule = pyramid.make_schedule(height, width, config.min_size, config.max_size,
                                     config.scale_factor)
    start = time.perf_counter()
    if FLAGS.finest_only:
        reals = pyramid.build_pyramid(image, schedule)
        rng = tf.random.Generator.from_seed(0)
        frozen = SinGAN(schedule.ratio, rng.normal([1, *schedule.sizes[0], 1]))
        for n in range(schedule.num_scales - 1):
            generator, _ = loop.scale_networks(n, config, schedule.sizes[n])
            frozen.add_scale(generator, 0.1, schedule.sizes[n])
        n = schedule.num_scales - 1
        generator, discriminator = loop.scale_networks(n, config, schedule.sizes[n])
        trainer = ScaleTrainer(frozen, reals[n], generator, discriminator, config, rng)
        for _ in range(FLAGS.iters):
            float(trainer.train_iteration()["loss_d"])
    else:
        with tempfile.TemporaryDirectory() as folder:
            model_dir = ModelDir(folder)
            model_dir.prepare()
            loop.train(image, config, model_dir, progress=False)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tensors_mib = tf.config.experimental.get_memory_info("CPU:0")["peak"] / 2**20
    nfc, _ = models.scale_channels(schedule.num_scales - 1, config.nfc, config.min_nfc,
                                   config.max_nfc)
    return {"max_size": max_size, "scales": schedule.num_scales, "finest": list(schedule.sizes[-1]),
            "nfc": nfc, "peak_rss_mib": round(peak_mib), "peak_tensors_mib": round(tensors_mib),
            "seconds": round(time.perf_counter() - start, 1)}


def main():
    if FLAGS.child:
        print(json.dumps(measure(FLAGS.child)))
        return
    print(f"{'finest scale alone' if FLAGS.finest_only else 'whole run'}, {FLAGS.iters} "
          f"iterations per scale, threads {FLAGS.threads}, inter-op {FLAGS.inter_threads}")
    print(f"{'max_size':>8} {'scales':>6} {'finest':>10} {'nfc':>4} {'peak RSS':>10} "
          f"{'tensors':>10} {'time':>7}")
    for size in FLAGS.max_sizes:
        out = subprocess.run([sys.executable, __file__, f"--child={size}", f"--iters={FLAGS.iters}",
                              f"--threads={FLAGS.threads}",
                              f"--inter_threads={FLAGS.inter_threads}",
                              f"--finest_only={FLAGS.finest_only}"],
                             capture_output=True, text=True)
        if out.returncode < 0:
            print(f"{size:>8} killed by signal {-out.returncode} (SIGKILL: the kernel's "
                  f"out-of-memory killer, if the machine ran out)", flush=True)
            continue
        if out.returncode:
            print(f"{size:>8} failed: {out.stderr.strip().splitlines()[-1:]}", flush=True)
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        h, w = r["finest"]
        print(f"{size:>8} {r['scales']:>6} {h:>4}x{w:<5} {r['nfc']:>4} "
              f"{r['peak_rss_mib']:>6} MiB {r['peak_tensors_mib']:>6} MiB {r['seconds']:>6} s",
              flush=True)


if __name__ == "__main__":
    cli.run(main, FLAGS)
