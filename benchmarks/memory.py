"""Peak memory (RSS) of training with the official settings, per max_size.

  python benchmarks/memory.py [--max_sizes=250,500,1000] [--iters=1] [--threads=2]

Training's peak is at the finest scale: the largest activations, 128
channels, and the gradient penalty's second-order graph. Each size therefore
runs, in a process of its own, one trainer of the finest scale on top of the
untrained coarser scales (their weights do not change the memory), and reports
that process's peak resident set size after `iters` iterations. The image is
synthetic (4:3), large enough that max_size decides the sizes.
"""

import json
import os
import resource
import subprocess
import sys
import time

from absl import app, flags

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

flags.DEFINE_list("max_sizes", ["250", "500", "1000"], "Finest-scale sizes to measure.")
flags.DEFINE_integer("iters", 1, "Iterations of the finest scale after the traced first one.")
flags.DEFINE_integer("threads", 2, "TF intra-op threads.")
flags.DEFINE_integer("child", 0, "Internal: measure this one max_size in this process.")
FLAGS = flags.FLAGS


def measure(max_size):
    from singan_tf import pyramid, trainer as trainer_lib
    from singan_tf.config import TrainConfig
    from singan_tf.singan import SinGAN
    import numpy as np
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(FLAGS.threads)

    config = TrainConfig(max_size=max_size)
    height, width = 3 * max_size // 4, max_size
    image = np.random.default_rng(0).uniform(-1, 1, (height, width, 3)).astype(np.float32)
    schedule = pyramid.make_schedule(height, width, config.min_size, config.max_size,
                                     config.scale_factor)
    reals = pyramid.build_pyramid(image, schedule)
    rng = tf.random.Generator.from_seed(0)
    frozen = SinGAN(schedule.ratio, rng.normal([1, *schedule.sizes[0], 1]))
    for n in range(schedule.num_scales - 1):
        generator, _ = trainer_lib._networks(n, config, reals[n].shape, None)
        frozen.add_scale(generator, 0.1, schedule.sizes[n])
    n = schedule.num_scales - 1
    generator, discriminator = trainer_lib._networks(n, config, reals[n].shape, None)
    trainer = trainer_lib.ScaleTrainer(frozen, reals[n], generator, discriminator, config, rng)
    start = time.perf_counter()
    for _ in range(1 + FLAGS.iters):
        float(trainer.train_iteration()["loss_d"])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"max_size": max_size, "scales": schedule.num_scales, "finest": list(schedule.sizes[-1]),
            "nfc": generator.nfc, "peak_rss_mb": round(peak_mb),
            "seconds": round(time.perf_counter() - start, 1)}


def main(argv):
    del argv
    if FLAGS.child:
        print(json.dumps(measure(FLAGS.child)))
        return
    print(f"{'max_size':>8} {'scales':>6} {'finest':>10} {'nfc':>4} {'peak RSS':>9} {'time':>7}")
    for size in FLAGS.max_sizes:
        out = subprocess.run([sys.executable, __file__, f"--child={size}", f"--iters={FLAGS.iters}",
                              f"--threads={FLAGS.threads}"], capture_output=True, text=True)
        if out.returncode < 0:
            print(f"{size:>8} killed by signal {-out.returncode} (SIGKILL: the kernel's "
                  f"out-of-memory killer, if the machine ran out)", flush=True)
            continue
        if out.returncode:
            print(f"{size:>8} failed: {out.stderr.strip().splitlines()[-1:]}", flush=True)
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        h, w = r["finest"]
        print(f"{size:>8} {r['scales']:>6} {h:>4}x{w:<5} {r['nfc']:>4} {r['peak_rss_mb']:>6} MB "
              f"{r['seconds']:>6} s", flush=True)


if __name__ == "__main__":
    app.run(main)
