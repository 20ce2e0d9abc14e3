"""Seconds per training iteration at every scale, for any training flags (official default).

  python benchmarks/train_speed.py [--image=PATH] [--max_size=128] [--iters=N]
      [--threads=1] [--inter_threads=THREADS] [--jit_compile] [--json=OUT.json]
      [--flagfile=flags/fast.cfg]

Training hyperparameters are the train entry point's flags (official
defaults, except --max_size=128 here), so a preset's flagfile times that preset.

Each scale is timed after one warm-up call (which traces the compiled step;
its time is reported apart). "lower %" is the share of an iteration spent
drawing the critic steps' fresh samples of the scales below (each critic step
needs a new one, so caching cannot remove it; the frozen scales draw them all in
one batched call). One iteration = dsteps critic steps + gsteps generator steps.
Lower scales are untrained: their cost, not their quality, is what matters
here. GFLOP/s counts conv FLOPs analytically (see `iteration_flops`), so it is
a model of the work, not a hardware counter.
"""

import json
import os
import resource
import time

from absl import flags

from flops import network_flops
from timing import onednn_settings
from singan_tf import cli

_DEFAULT_IMAGE = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data",
                              "generation", "colusseum.png")

FLAGS = cli.flag_values()
flags.DEFINE_string("image", _DEFAULT_IMAGE, "Training image.", flag_values=FLAGS)
cli.define_config_flags(FLAGS)
FLAGS.set_default("max_size", 128)
flags.DEFINE_integer("iters", 10, "Timed iterations per scale.", flag_values=FLAGS)
flags.DEFINE_integer("threads", 1, "TF intra-op threads.", flag_values=FLAGS)
flags.DEFINE_integer("inter_threads", None, "TF inter-op threads (default: --threads; 0: "
                     "TF's default, the core count, as training uses): independent ops, such "
                     "as D(real) and D(fake), may then run at once.", flag_values=FLAGS)
flags.DEFINE_string("json", None, "Write the per-scale results here as a JSON list.",
                    flag_values=FLAGS)


def iteration_flops(trainer, frozen, config):
    """Model of one iteration's FLOPs: forward = 1, backward = 2, gradient penalty = 6 passes.

    Critic step: lower-scale chain + G forward + D on real and fake (fwd + bwd)
    + penalty (fwd, input gradient, and its gradient) = chain + F_G + 12 F_D.
    Generator step: fake (fwd + bwd through D and G) + reconstruction (fwd + bwd)
    = 6 F_G + 2 F_D, plus 6 F_L for each scale L learning concurrently below.
    """
    h, w = trainer.size
    f_g = network_flops(trainer.generator, h, w, 3, padded=True)
    f_d = network_flops(trainer.discriminator, h, w, 1, padded=False)
    chain = sum(network_flops(g, *size, 3, padded=True)
                for g, size in zip(frozen.generators, frozen.sizes))
    learning = sum(network_flops(g, *size, 3, padded=True)
                   for g, size in zip(trainer.learning, frozen.sizes[trainer.first:]))
    return (config.dsteps * (chain + f_g + 12 * f_d)
            + config.gsteps * (6 * f_g + 2 * f_d + 6 * learning))


def fresh_samples(trainer, steps):
    """What an iteration's critic steps refine: the frozen scales' samples drawn at once,
    then each run through the scales learning below n."""
    from singan_tf.training.step import stack_steps
    noise = stack_steps(trainer.lower_noise() for _ in range(steps))
    bases = trainer.random_samples(noise)
    return [trainer.prev(bases[i], [maps[i] for maps in noise], training=False)
            for i in range(steps)]


def seconds_per_call(call, count):
    import tensorflow as tf
    start = time.perf_counter()
    for _ in range(count):
        result = call()
    tf.nest.map_structure(lambda t: t.numpy(), result)  # wait for the last call
    return (time.perf_counter() - start) / count


def main():
    import tensorflow as tf
    from singan_tf import pyramid
    from singan_tf.io import images
    from singan_tf.singan import SinGAN
    from singan_tf.training import loop
    from singan_tf.training.step import ScaleTrainer

    tf.config.threading.set_intra_op_parallelism_threads(FLAGS.threads)
    inter_threads = FLAGS.threads if FLAGS.inter_threads is None else FLAGS.inter_threads
    tf.config.threading.set_inter_op_parallelism_threads(inter_threads)

    config = cli.config_from_flags(FLAGS)
    image = images.load_image(FLAGS.image)
    schedule = pyramid.make_schedule(image.shape[0], image.shape[1], config.min_size,
                                     config.max_size, config.scale_factor)
    reals = pyramid.build_pyramid(image, schedule)
    rng = tf.random.Generator.from_seed(0)
    frozen = SinGAN(schedule.ratio, rng.normal([1, *schedule.sizes[0], 1]))
    print(f"{FLAGS.image}: {schedule.num_scales} scales, ratio {schedule.ratio:.3f}, "
          f"threads {FLAGS.threads} (inter-op {inter_threads}), "
          f"jit_compile {config.jit_compile}, train_depth {config.train_depth}, "
          f"{onednn_settings()}")
    print(f"{'scale':>5} {'size':>9} {'nfc':>4} {'trace s':>8} {'s/iter':>8} "
          f"{'GFLOP/s':>8} {'lower %':>8} {f'{config.niter} iters':>11}")
    results, previous, total = [], None, 0.0
    for n, real in enumerate(reals):
        generator, discriminator = loop.scale_networks(n, config, schedule.sizes[n], previous)
        trainer = ScaleTrainer(frozen, real, generator, discriminator, config, rng)
        trace = seconds_per_call(trainer.train_iteration, 1)
        per_iter = seconds_per_call(trainer.train_iteration, FLAGS.iters)
        # The critic steps' fresh samples of the scales below: what no cache can save.
        lower = tf.function(lambda t=trainer: fresh_samples(t, config.dsteps))
        seconds_per_call(lower, 1)
        lower_share = seconds_per_call(lower, FLAGS.iters) / per_iter
        gflops = iteration_flops(trainer, frozen, config) / per_iter / 1e9
        projected = per_iter * config.niter + trace
        total += projected
        h, w = trainer.size
        print(f"{n:>5} {h:>4}x{w:<4} {generator.nfc:>4} {trace:>8.1f} {per_iter:>8.3f} "
              f"{gflops:>8.1f} {100 * lower_share:>7.1f}% {projected / 60:>9.1f} m", flush=True)
        results.append({"scale": n, "height": h, "width": w, "nfc": generator.nfc,
                        "s_per_iter": per_iter, "trace_s": trace, "gflops": gflops,
                        "lower_share": lower_share})
        trainer.freeze()
        frozen.add_scale(generator, float(trainer.noise_amp), trainer.size)
        previous = (generator, discriminator)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # Linux: KiB
    print(f"projected full run ({config.niter} iterations per scale): {total / 3600:.2f} h; "
          f"peak RSS {peak:.2f} GiB")
    if FLAGS.json:
        with open(FLAGS.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    cli.run(main, FLAGS)
