"""Training, coarse to fine: one WGAN-GP game per scale on top of the scales below.

One iteration at scale n is `dsteps` critic steps, each against a fake made
from fresh noise on top of a fresh random sample of the coarser scales, then
`gsteps` generator steps (adversarial + alpha * reconstruction loss). The whole
iteration is one compiled `tf.function` call. The scales below are frozen, or
(concurrent training, `train_depth` > 1) the nearest of them keep learning.

Every random draw of scale n comes from seeds derived from (seed, n), and a
checkpoint holds all the state an iteration changes, so a run resumed from any
checkpoint continues exactly as the uninterrupted run would have.
"""

import contextlib
import gc
import math
import os
import time

from absl import logging
import keras
import numpy as np
import tensorflow as tf
from tensorflow.python.framework import ops as tf_ops  # the gradient registry: see below

from singan_tf import losses, model_dir as model_dir_lib, models, pyramid
from singan_tf.errors import ModelDirError, TrainingDiverged, TrainingInterrupted
from singan_tf.singan import SinGAN


class SteppedRate(keras.optimizers.schedules.LearningRateSchedule):
    """base, x gamma from step `milestone` on, x `factor` (lowered after a divergence)."""

    def __init__(self, base, milestone, gamma, factor):
        self.base, self.milestone, self.gamma, self.factor = base, milestone, gamma, factor

    def __call__(self, step):
        decay = tf.where(step >= self.milestone, self.gamma, 1.0)
        return self.base * decay * self.factor


def adam(learning_rate, config, steps_per_iteration, factor=1.0):
    """Adam with the official betas and a x`gamma` drop at iteration `lr_milestone`."""
    rate = SteppedRate(learning_rate, config.lr_milestone * steps_per_iteration, config.gamma,
                       factor)
    return keras.optimizers.Adam(rate, beta_1=config.beta1, beta_2=0.999, epsilon=1e-8)


def _no_image():
    """Stands for the frozen scales' output when there are none (a loop variable needs a tensor)."""
    return tf.zeros([0])


@contextlib.contextmanager
def lean_graph_rewrites():
    """Compiles and runs the functions inside without Grappler's constant folding and
    arithmetic rewrites, which would materialize zeros of the gradient penalty's second
    derivative as activation-sized constants that the compiled function keeps for its
    lifetime (README, Memory). The options are process-wide, so
    they are restored on exit; a function is optimized once, on its first call, with the
    options in force then."""
    rewrites = {"constant_folding": False, "arithmetic_optimization": False}
    saved = tf.config.optimizer.get_experimental_options()
    tf.config.optimizer.set_experimental_options(rewrites)
    try:
        yield
    finally:  # both default to on
        tf.config.optimizer.set_experimental_options({k: saved.get(k, True) for k in rewrites})


@contextlib.contextmanager
def releasing_traced_gradients():
    """Lets a step traced inside be freed with its trainer.

    Keras' optimizer.apply, traced in graph mode, sums the gradients with the
    default distribution strategy's all_reduce, a tf.custom_gradient; TF
    registers every such gradient function in a global registry and never
    removes it (tensorflow/tensorflow#97697), and that function holds the whole
    traced step: its graph and captured tensors would stay in memory to the end
    of the run, scale after scale (README, Memory). On exit the entries
    registered inside are removed. Only differentiating a function traced inside
    from outside it, or exporting one, would read them again; training does
    neither.
    """
    registry = tf_ops._gradient_registry._registry
    count = len(registry)  # a dict: new entries come last
    try:
        yield
    finally:
        for name in list(registry)[count:]:
            if name.startswith("CustomGradient-"):
                del registry[name]


def _after(gradients):
    """Ops created in this context wait for `gradients`: a loss term whose gradient is
    taken from a tape of its own (as the official code's separate backward() calls) then
    starts its forward pass only once the previous term's gradients are done, so the two
    never hold their activations at the same time."""
    return tf.control_dependencies([g for g in tf.nest.flatten(gradients) if g is not None])


def _add_gradients(first, second):
    """Sums two lists of gradients; None (a variable that one term does not reach, such as
    the critic's last bias in the penalty) counts as zero."""
    return [b if a is None else a if b is None else a + b for a, b in zip(first, second)]


def scale_seed(seed, n):
    """The seed of everything random at scale n (weights, noise, mixing)."""
    return seed * 1000 + n + 1


class ScaleTrainer:
    """Trains G_n and D_n of scale n = `frozen.num_scales` on the real image at that scale.

    With config.train_depth > 1 (ConSinGAN's concurrent training) the
    generators of the train_depth - 1 scales below n learn too, k scales down
    at lr_g * lr_scale**k; the fakes and the reconstruction then run through
    them inside the generator step so their gradients flow. train_depth 1 is
    the official SinGAN: every scale below n is frozen.
    """

    def __init__(self, frozen, real, generator, discriminator, config, rng, jit_compile=False):
        self.frozen, self.real = frozen, real
        self.generator, self.discriminator = generator, discriminator
        self.config, self.rng = config, rng
        self.scale = n = frozen.num_scales
        self.size = tuple(real.shape[1:3])
        first = max(n - config.train_depth + 1, 0)
        self.base = frozen.coarsest(first)  # stays frozen
        self.lower = [(g, amp, size) for g, amp, size in zip(
            frozen.generators[first:], frozen.noise_amps[first:], frozen.sizes[first:])]
        for g, _, _ in self.lower:
            g.trainable = True
        h, w = self.size
        if n == 0:
            self.noise_shape = [1, h, w, 1]
            self.z_rec = frozen.z_rec
            self.noise_amp = 1.0
        else:
            self.noise_shape = [1, h, w, 3]
            self.z_rec = tf.zeros(self.noise_shape)
        # The frozen scales reconstruct deterministically: compute their part once.
        self.base_rec = self.base.reconstruct() if first > 0 else _no_image()
        self.lower_rec_noise = frozen.reconstruction_noise()[first:n]
        self.prev_rec = self.lower_chain(self.base_rec, self.lower_rec_noise, training=False)
        if n > 0:
            rmse = math.sqrt(float(losses.reconstruction_loss(self.prev_rec, real)))
            self.noise_amp = config.noise_amp * rmse
        self.lr_factor = tf.Variable(1.0, trainable=False)
        self.opt_g = adam(config.lr_g, config, config.gsteps, self.lr_factor)
        self.opt_d = adam(config.lr_d, config, config.dsteps, self.lr_factor)
        self.opt_lower = [adam(config.lr_g * config.lr_scale ** (n - k), config, config.gsteps,
                               self.lr_factor) for k in range(first, n)]
        self.opt_g.build(generator.trainable_variables)
        self.opt_d.build(discriminator.trainable_variables)
        for opt, (g, _, _) in zip(self.opt_lower, self.lower):
            opt.build(g.trainable_variables)
        self._compiled_iteration = tf.function(self._train_iteration, jit_compile=jit_compile)

    def train_iteration(self):
        """One compiled iteration; returns its losses as scalar tensors."""
        with lean_graph_rewrites(), releasing_traced_gradients():
            return self._compiled_iteration()

    @property
    def iteration(self):
        """Completed iterations, read from the optimizer so it always matches the weights."""
        return int(self.opt_g.iterations) // self.config.gsteps

    def freeze(self):
        """Ends concurrent training: the scales below n are frozen again."""
        for g, _, _ in self.lower:
            g.trainable = False

    def lower_chain(self, base, noise, training=True):
        """The learning scales below n on top of `base` (the frozen scales' output, unused
        when there are none), upsampled to scale n: the `prev` that G_n refines."""
        images = base if self.base.num_scales else None
        for (g, amp, size), z in zip(self.lower, noise):
            prev = (tf.zeros([1, *size, 3]) if images is None
                    else self.frozen.upsample(images, size))
            images = g(amp * z + prev, prev, training=training)
        if images is None:
            return tf.zeros([1, *self.size, 3])
        return self.frozen.upsample(images, self.size)

    def random_base(self):
        """A fresh random sample of the frozen scales, and fresh noise for the learning ones."""
        noise = [self.rng.normal(shape) for shape in self.frozen.noise_shapes()]
        frozen_count = self.base.num_scales
        base = self.base.generate(noise[:frozen_count]) if frozen_count else _no_image()
        return base, noise[frozen_count:]

    def _zero_sample(self):
        """Zeros shaped like random_base()'s result: the critic loop's initial value."""
        frozen_count = self.base.num_scales
        base = tf.zeros([1, *self.base.sizes[-1], 3]) if frozen_count else _no_image()
        return base, [tf.zeros(shape) for shape in self.frozen.noise_shapes()[frozen_count:]]

    def critic_step(self, z):
        G, D, c = self.generator, self.discriminator, self.config
        base, lower_noise = self.random_base()
        prev = self.lower_chain(base, lower_noise)
        fake = G(self.noise_amp * z + prev, prev, training=True)
        mix = self.rng.uniform([])
        with tf.GradientTape() as tape:
            wasserstein = losses.critic_loss(D(self.real, training=True), D(fake, training=True))
        wasserstein_grads = tape.gradient(wasserstein, D.trainable_variables)
        with _after(wasserstein_grads), tf.GradientTape() as tape:
            penalty = losses.gradient_penalty(
                lambda x: D(x, training=True), self.real, fake, mix)
            scaled_penalty = c.lambda_grad * penalty
        penalty_grads = tape.gradient(scaled_penalty, D.trainable_variables)
        self.opt_d.apply(_add_gradients(wasserstein_grads, penalty_grads), D.trainable_variables)
        return (base, lower_noise), wasserstein + scaled_penalty, penalty

    def generator_step(self, z, sample):
        """Adversarial + alpha * reconstruction, on the fake of the last critic step's sample."""
        G, D, c = self.generator, self.discriminator, self.config
        networks = [G] + [g for g, _, _ in self.lower]
        with tf.GradientTape() as tape:
            prev = self.lower_chain(*sample)
            fake = G(self.noise_amp * z + prev, prev, training=True)  # regenerated every step
            adversarial = losses.adversarial_loss(D(fake, training=True))
            prev_rec = (self.lower_chain(self.base_rec, self.lower_rec_noise) if self.lower
                        else self.prev_rec)
            reconstruction = G(self.noise_amp * self.z_rec + prev_rec, prev_rec, training=True)
            rec_loss = losses.reconstruction_loss(reconstruction, self.real)
            loss = adversarial + c.alpha * rec_loss
        grads = tape.gradient(loss, [net.trainable_variables for net in networks])
        for opt, net, grad in zip([self.opt_g] + self.opt_lower, networks, grads):
            opt.apply(grad, net.trainable_variables)
        return loss, rec_loss

    def _train_iteration(self):
        """One iteration: dsteps critic steps, then gsteps generator steps, all on one noise map."""
        z = self.rng.normal(self.noise_shape)
        loss_d = penalty = loss_g = rec_loss = tf.constant(0.0)
        sample = self._zero_sample()
        for _ in tf.range(self.config.dsteps):
            sample, loss_d, penalty = self.critic_step(z)
        for _ in tf.range(self.config.gsteps):
            loss_g, rec_loss = self.generator_step(z, sample)
        return {"loss_d": loss_d, "gp": penalty, "loss_g": loss_g, "rec": rec_loss}

    def _state_variables(self):
        """Every variable an iteration changes, by a stable name."""
        groups = {"g": self.generator.weights, "d": self.discriminator.weights,
                  "opt_g": self.opt_g.variables, "opt_d": self.opt_d.variables}
        for k, ((g, _, _), opt) in enumerate(zip(self.lower, self.opt_lower)):
            groups.update({f"lower{k}": g.weights, f"opt_lower{k}": opt.variables})
        named = {f"{k}_{i}": v for k, vs in groups.items() for i, v in enumerate(vs)}
        return {**named, "rng": self.rng.state, "lr_factor": self.lr_factor}

    def state(self):
        """The training state as named numpy arrays (what a checkpoint holds)."""
        arrays = {name: v.numpy() for name, v in self._state_variables().items()}
        return {**arrays, "noise_amp": np.float64(self.noise_amp)}

    def restore(self, arrays):
        """Sets the state of `state()`; before the first iteration, which fixes noise_amp in
        the compiled step (a resumed concurrent run recomputes it from rewritten scales)."""
        for name, v in self._state_variables().items():
            v.assign(arrays[name])
        self.noise_amp = float(arrays.get("noise_amp", self.noise_amp))  # older checkpoints


def fit_scale(trainer, niter, save_checkpoint, load_checkpoint, on_metrics=None,
              checkpoint_every=100, max_retries=3, stop_requested=lambda: False):
    """Runs `trainer` up to `niter` iterations with checkpoints and divergence recovery.

    A NaN or Inf loss restores the last checkpoint and halves the learning
    rates, at most `max_retries` times. When `stop_requested()` turns true
    (graceful_stop) or a KeyboardInterrupt comes, it saves a checkpoint and
    raises TrainingInterrupted.
    """
    retries = 0
    try:
        while trainer.iteration < niter:
            if stop_requested():
                raise KeyboardInterrupt  # handled below, as a Ctrl-C between iterations
            metrics = {k: float(v) for k, v in trainer.train_iteration().items()}
            if not all(math.isfinite(v) for v in metrics.values()):
                retries += 1
                if retries > max_retries:
                    raise TrainingDiverged(
                        f"scale {trainer.scale} diverged (non-finite loss {metrics}) "
                        f"{max_retries} times, even with lowered learning rates; the model "
                        f"directory keeps the scales trained before it")
                failed_at, factor = trainer.iteration, float(trainer.lr_factor) / 2
                trainer.restore(load_checkpoint())
                trainer.lr_factor.assign(factor)
                logging.warning("scale %d: non-finite loss at iteration %d; restored the "
                                "checkpoint of iteration %d, learning rates x%g",
                                trainer.scale, failed_at, trainer.iteration, factor)
                continue
            if on_metrics:
                on_metrics(trainer.iteration - 1, metrics)
            if trainer.iteration % checkpoint_every == 0 and trainer.iteration < niter:
                save_checkpoint(trainer.state())
    except KeyboardInterrupt:
        save_checkpoint(trainer.state())
        raise TrainingInterrupted(
            f"training interrupted at scale {trainer.scale}, iteration {trainer.iteration}: "
            f"checkpoint saved, continue with --resume") from None


def train(image, config, model_dir, image_path="", progress=True, log_every=10,
          checkpoint_every=100, resume=False, schedule=None, stop_requested=lambda: False):
    """Trains a SinGAN on `image` ([H, W, 3] in [-1, 1]), writing `model_dir` scale by scale.

    `model_dir` must have been prepared (see model_dir.prepare), or hold an
    interrupted run of the same image and config when `resume`. `schedule`
    overrides the one computed from `config` (super-resolution rounds it
    differently). `stop_requested()` is read between iterations (fit_scale).
    Returns the SinGAN.
    """
    schedule = schedule or pyramid.make_schedule(
        image.shape[0], image.shape[1], config.min_size, config.max_size, config.scale_factor)
    reals = pyramid.build_pyramid(image, schedule)
    z_rec = tf.random.Generator.from_seed(config.seed).normal([1, *schedule.sizes[0], 1])
    model, previous = SinGAN(schedule.ratio, z_rec), None
    if resume:
        model, previous = _load_progress(model_dir, schedule, model)
    else:
        model_dir_lib.write_manifest(model_dir, config, schedule, image_path)
    writer = tf.summary.create_file_writer(os.path.join(model_dir, "logs"))

    for n in range(model.num_scales, schedule.num_scales):
        real = reals[n]
        generator, discriminator = _networks(n, config, real.shape, previous)
        rng = tf.random.Generator.from_seed(scale_seed(config.seed, n))
        trainer = ScaleTrainer(model, real, generator, discriminator, config, rng)
        gc.collect()  # the previous scale's trainer, a reference cycle through its tf.function
        checkpoint = model_dir_lib.read_checkpoint(model_dir, n) if resume else None
        if checkpoint is not None:
            trainer.restore(checkpoint)
        else:
            model_dir_lib.write_checkpoint(model_dir, n, trainer.state())  # restore point
        if progress:
            print(f"Scale {n}/{schedule.num_scales - 1}: {real.shape[1]}x{real.shape[2]}, "
                  f"{generator.nfc} channels, noise_amp {trainer.noise_amp:.4f}"
                  + (f", resumed at iteration {trainer.iteration}" if trainer.iteration else ""),
                  flush=True)
        bar = keras.utils.Progbar(config.niter, verbose=1 if progress else 0, unit_name="iter")

        def on_metrics(i, metrics, n=n, bar=bar):
            bar.update(i + 1, values=list(metrics.items()), finalize=i + 1 == config.niter)
            if i % log_every == 0 or i + 1 == config.niter:
                with writer.as_default():
                    for name, value in metrics.items():
                        tf.summary.scalar(f"scale_{n:02d}/{name}", value, step=i)

        start = time.time()
        fit_scale(trainer, config.niter,
                  save_checkpoint=lambda state, n=n: model_dir_lib.write_checkpoint(
                      model_dir, n, state),
                  load_checkpoint=lambda n=n: model_dir_lib.read_checkpoint(model_dir, n),
                  on_metrics=on_metrics, checkpoint_every=checkpoint_every,
                  stop_requested=stop_requested)
        trainer.freeze()
        for k in range(n - len(trainer.lower), n):  # rewritten before scale n: see resume
            model_dir_lib.update_generator(model_dir, k, model.generators[k])
        model_dir_lib.write_scale(model_dir, n, generator, discriminator, trainer.noise_amp,
                                  schedule.sizes[n], z_rec=z_rec if n == 0 else None)
        model.add_scale(generator, trainer.noise_amp, schedule.sizes[n])
        _summarize_scale(writer, model, trainer, n, time.time() - start)
        previous = (generator, discriminator)
    return model


def _load_progress(model_dir, schedule, untrained):
    """The complete scales of an interrupted run, and the networks to warm-start from."""
    manifest = model_dir_lib.read_manifest(model_dir)
    if [tuple(s) for s in manifest["sizes"]] != list(schedule.sizes):
        raise ModelDirError(f"cannot resume {model_dir}: it was trained on an image of another "
                            f"size (scales {manifest['sizes']})")
    if model_dir_lib.trained_scales(model_dir) == 0:
        return untrained, None
    model, _ = model_dir_lib.load(model_dir)
    n = model.num_scales - 1
    return model, (model.generators[n], model_dir_lib.load_discriminator(model_dir, n))


def _networks(n, config, shape, previous):
    """G_n and D_n, warm-started from scale n-1 when the widths match (as the official code)."""
    keras.utils.set_random_seed(scale_seed(config.seed, n))
    nfc, min_nfc = models.scale_channels(n, config.nfc, config.min_nfc, config.max_nfc)
    generator = models.Generator(nfc, min_nfc, config.num_layer, config.ker_size)
    discriminator = models.Discriminator(nfc, min_nfc, config.num_layer, config.ker_size)
    placeholder = tf.zeros(shape)
    generator(placeholder, placeholder)
    discriminator(placeholder)
    if previous is not None and (previous[0].nfc, previous[0].min_nfc) == (nfc, min_nfc):
        generator.set_weights(previous[0].get_weights())
        discriminator.set_weights(previous[1].get_weights())
    return generator, discriminator


def _summarize_scale(writer, model, trainer, n, seconds):
    """TensorBoard: noise amplitude, time, the reconstruction and a few samples at scale n."""
    samples = tf.concat([model.generate(model.seeded_noise(seed)) for seed in range(4)], 0)
    with writer.as_default():
        tf.summary.scalar("noise_amp", trainer.noise_amp, step=n)
        tf.summary.scalar("seconds_per_scale", seconds, step=n)
        tf.summary.scalar("lr_factor", float(trainer.lr_factor), step=n)
        tf.summary.image("reconstruction", (model.reconstruct() + 1) / 2, step=n)
        tf.summary.image("samples", (samples + 1) / 2, step=n, max_outputs=4)
    writer.flush()
