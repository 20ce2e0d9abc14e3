"""One scale's WGAN-GP game: the compiled training iteration of G_n and D_n.

One iteration at scale n is `dsteps` critic steps, each against a fake made
from the iteration's noise on top of a fresh random sample of the coarser
scales (the frozen scales make all the steps' samples in one batched call),
then `gsteps` generator steps (adversarial + alpha * reconstruction loss), the
fake regenerated in each. An iteration is two compiled calls: one
draws its random numbers, the other runs its steps on them (with
`jit_compile`, as one XLA program). The scales below are frozen, or
(concurrent training, `train_depth` > 1) the nearest of them keep learning.

Every random draw of scale n comes from the trainer's generator, seeded from
(seed, n), and `state()` holds everything an iteration changes, so a run
restored from any state continues exactly as the uninterrupted run would.
"""

import math

import keras
import numpy as np
import tensorflow as tf

from singan_tf import losses, tf_compat
from singan_tf.training import filter_gradient


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


def scale_seed(seed, n):
    """The seed of everything random at scale n (weights, noise, mixing)."""
    return seed * 1000 + n + 1


def _no_image():
    """Stands for the frozen scales' output when there are none."""
    return tf.zeros([0])


def stack_steps(noises):
    """Per-scale noise of several critic steps (a list per step) as one tensor per scale,
    [steps, 1, h, w, c]: the form `ScaleTrainer.random_samples` takes."""
    return [tf.stack(maps) for maps in zip(*noises)]


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


def _while_loop(count, body, initial):
    """body(i, *values) -> (i + 1, *new values), `count` times, as one graph loop."""
    return tf.while_loop(lambda i, *_: i < count, body, initial)


def _unrolled_loop(count, body, initial):
    """The same loop written out: `count` copies of the body in the graph."""
    values = initial
    for _ in range(count):
        values = body(*values)
    return values


class ScaleTrainer:
    """Trains G_n and D_n of scale n = `lower.num_scales` on the real image at that scale.

    `lower` is the pyramid of the scales below (a SinGAN). With
    config.train_depth > 1 (ConSinGAN's concurrent training) the generators of
    the train_depth - 1 scales below n learn too, k scales down at
    lr_g * lr_scale**k; the fakes and the reconstruction then run through them
    inside the generator step so their gradients flow. train_depth 1 is the
    official SinGAN: every scale below n is frozen. The noise amplitude of
    scale n is state (a variable), computed here from the reconstruction error
    unless given.

    Two applications train a scale differently. `injection` = (prev, k): the
    fakes start from `prev` (what scale k refines, see SinGAN.injection) with
    fresh noise from scale k up, instead of from a random sample of every scale
    (harmonization's fine-tuning). `prev_transform` is applied to what G_n
    refines, in the fakes and the reconstruction (paint-to-image's quantized
    retraining); the noise amplitude is computed before it.
    """

    def __init__(self, lower, real, generator, discriminator, config, rng, noise_amp=None,
                 injection=None, prev_transform=None):
        tf_compat.install_training_workarounds()
        self.lower, self.real = lower, real
        self.generator, self.discriminator = generator, discriminator
        self.config, self.rng = config, rng
        self.scale = n = lower.num_scales
        self.size = tuple(real.shape[1:3])
        self.injected, self.start = injection if injection is not None else (None, 0)
        # The lowest learning scale.
        self.first = first = max(n - config.train_depth + 1, self.start)
        self.frozen = lower.coarsest(first)
        self.learning = lower.generators[first:]
        for g in self.learning:
            g.trainable = True
        self.transform = prev_transform or (lambda prev: prev)
        h, w = self.size
        pad = 2 * lower.noise_padding
        self.noise_shape = [1, h + pad, w + pad, 1 if n == 0 else 3]
        # The official code redraws scale 0's z_rec every iteration (config.redraw_z_rec):
        # then it is state, and its last draw is the model's.
        self.redraws_z_rec = n == 0 and config.redraw_z_rec
        self.z_rec = (tf.Variable(lower.z_rec, trainable=False) if self.redraws_z_rec
                      else lower.z_rec if n == 0 else tf.zeros(self.noise_shape))
        # The frozen scales reconstruct deterministically: compute their part once.
        self.base_rec = (self._up_to_first(self.frozen.reconstruct()) if first > 0
                         else _no_image())
        prev_rec = self.prev(self.base_rec, lower.reconstruction_noise(), training=False)
        if noise_amp is None:
            noise_amp = 1.0 if n == 0 else config.noise_amp * math.sqrt(
                float(losses.reconstruction_loss(prev_rec, real)))
        self.prev_rec = self.transform(prev_rec)
        self.noise_amp = tf.Variable(noise_amp, trainable=False, dtype=tf.float32)
        self.lr_factor = tf.Variable(1.0, trainable=False)
        self.opt_g = adam(config.lr_g, config, config.gsteps, self.lr_factor)
        self.opt_d = adam(config.lr_d, config, config.dsteps, self.lr_factor)
        self.opt_learning = [adam(config.lr_g * config.lr_scale ** (n - k), config, config.gsteps,
                                  self.lr_factor) for k in range(first, n)]
        self.opt_g.build(generator.trainable_variables)
        self.opt_d.build(discriminator.trainable_variables)
        for opt, g in zip(self.opt_learning, self.learning):
            opt.build(g.trainable_variables)
        # Plain graph code: AutoGraph's conversion would add about a second to every scale's
        # trace. Without XLA the two loops are tf.while_loop (one step's graph each); XLA
        # compiles them unrolled, as one graph of all the steps: with their while loops
        # XLA's CPU code is 25x slower. The random numbers are drawn apart, by TensorFlow's
        # own kernels (XLA draws other numbers), so that XLA changes only the rounding.
        self.matmul_filter_gradients = filter_gradient.uses_matmul(config.filter_gradient,
                                                                   config.jit_compile)
        self._compiled_draws = tf.function(self._draws, autograph=False)
        self._compiled_iteration = tf.function(self._train_iteration,
                                               jit_compile=config.jit_compile, autograph=False)

    def train_iteration(self):
        """One compiled iteration; returns its losses as scalar tensors."""
        with (tf_compat.lean_graph_rewrites(), tf_compat.releasing_traced_gradients(),
              tf_compat.matmul_filter_gradients(self.matmul_filter_gradients)):
            return self._compiled_iteration(*self._compiled_draws())

    @property
    def iteration(self):
        """Completed iterations, read from the optimizer so it always matches the weights."""
        return int(self.opt_g.iterations) // self.config.gsteps

    def freeze(self):
        """Ends concurrent training: the scales below n are frozen again."""
        for g in self.learning:
            g.trainable = False

    def prev(self, base, noise, training=True):
        """What G_n refines: the learning scales below n with `noise` (every scale below
        n) on `base`, what the lowest of them refines (nothing when that is scale 0),
        upsampled to scale n."""
        if self.scale == 0:
            return tf.zeros([1, *self.size, 3])
        if self.first == self.scale:
            return base
        images = self.lower.generate(noise, self.first, base if self.first else None, training)
        return self.lower.upsample(images, self.size)

    def lower_noise(self):
        """Fresh noise for every scale below n."""
        return [self.rng.normal(shape) for shape in self.lower.noise_shapes()]

    def random_samples(self, noise):
        """What the lowest learning scale refines in each critic step, for `noise` stacked
        over the steps ([steps, 1, h, w, c] per scale below n): the frozen scales' output
        (from the injected image when there is one), or the injected image alone, or
        nothing ([steps, 0]) when no scale is frozen. The frozen scales run in inference
        mode, so each sample does not depend on the others: all of them come from one
        batched call, cheaper than a call per step."""
        steps = noise[0].shape[0] if noise else self.config.dsteps
        if self.first == self.start:
            if self.injected is None:
                return tf.zeros([steps, 0])
            return tf.repeat(self.injected[None], steps, axis=0)
        batched = [tf.reshape(maps, [-1, *maps.shape[2:]]) for maps in noise]
        injected = (None if self.injected is None
                    else tf.repeat(self.injected, steps, axis=0))
        images = self._up_to_first(self.frozen.generate(batched, self.start, injected))
        return images[:, None]

    def _up_to_first(self, images):
        """The frozen scales' output upsampled to the lowest learning scale (or to n)."""
        size = self.lower.sizes[self.first] if self.first < self.scale else self.size
        return self.lower.upsample(images, size)

    def critic_step(self, z, sample, mix):
        """A WGAN-GP update of D_n against the fake made from `z` on `sample` = (one of
        random_samples(), the noise of every scale below n); `mix` is the penalty's
        mixing scalar."""
        G, D, c = self.generator, self.discriminator, self.config
        prev = self.transform(self.prev(*sample))
        fake = G(self.noise_amp * z, prev, training=True)
        with tf.GradientTape() as tape:
            wasserstein = losses.critic_loss(D(self.real, training=True), D(fake, training=True))
        wasserstein_grads = tape.gradient(wasserstein, D.trainable_variables)
        with _after(wasserstein_grads), tf.GradientTape() as tape:
            penalty = losses.gradient_penalty(
                lambda x: D(x, training=True), self.real, fake, mix)
            scaled_penalty = c.lambda_grad * penalty
        penalty_grads = tape.gradient(scaled_penalty, D.trainable_variables)
        self.opt_d.apply(_add_gradients(wasserstein_grads, penalty_grads), D.trainable_variables)
        return wasserstein + scaled_penalty, penalty

    def generator_step(self, z, sample, z_rec):
        """Adversarial + alpha * reconstruction (from `z_rec`), on the fake of the last critic
        step's sample."""
        G, D, c = self.generator, self.discriminator, self.config
        networks = [G] + self.learning
        with tf.GradientTape() as tape:
            prev = self.transform(self.prev(*sample))
            fake = G(self.noise_amp * z, prev, training=True)  # regenerated every step
            adversarial = losses.adversarial_loss(D(fake, training=True))
            prev_rec = (self.transform(self.prev(self.base_rec, self.lower.reconstruction_noise()))
                        if self.learning else self.prev_rec)
            reconstruction = G(self.noise_amp * z_rec, prev_rec, training=True)
            rec_loss = losses.reconstruction_loss(reconstruction, self.real)
            loss = adversarial + c.alpha * rec_loss
        grads = tape.gradient(loss, [net.trainable_variables for net in networks])
        for opt, net, grad in zip([self.opt_g] + self.opt_learning, networks, grads):
            opt.apply(grad, net.trainable_variables)
        return loss, rec_loss

    def _draws(self):
        """Every random number of an iteration, in the order its steps use them: the noise
        map, then each critic step's noise for the scales below (stacked over the steps)
        and its mixing scalar; last, a fresh z_rec when it is redrawn."""
        z = self.rng.normal(self.noise_shape)
        steps = [(self.lower_noise(), self.rng.uniform([])) for _ in range(self.config.dsteps)]
        noise = stack_steps(step_noise for step_noise, _ in steps)
        draws = z, noise, tf.stack([mix for _, mix in steps])
        return (*draws, self.rng.normal(self.z_rec.shape)) if self.redraws_z_rec else draws

    def _train_iteration(self, z, noise, mix, z_rec=None):
        """One iteration on `_draws()`: dsteps critic steps, then gsteps generator steps, all
        on the one noise map z; the reconstruction from `z_rec` when it is redrawn."""
        zero = tf.constant(0.0)
        if z_rec is None:
            z_rec = self.z_rec
        else:
            self.z_rec.assign(z_rec)

        bases = self.random_samples(noise)

        def sample(i):
            return bases[i], [maps[i] for maps in noise]

        def critic_steps(i, loss_d, penalty):
            return (i + 1, *self.critic_step(z, sample(i), mix[i]))

        last = sample(self.config.dsteps - 1)

        def generator_steps(i, loss_g, rec_loss):
            return (i + 1, *self.generator_step(z, last, z_rec))

        loop = _unrolled_loop if self.config.jit_compile else _while_loop
        _, loss_d, penalty = loop(self.config.dsteps, critic_steps, (tf.constant(0), zero, zero))
        _, loss_g, rec_loss = loop(self.config.gsteps, generator_steps,
                                   (tf.constant(0), zero, zero))
        return {"loss_d": loss_d, "gp": penalty, "loss_g": loss_g, "rec": rec_loss}

    def _state_variables(self):
        """Every variable an iteration changes (and the noise amplitude), by a stable name."""
        groups = {"g": self.generator.weights, "d": self.discriminator.weights,
                  "opt_g": self.opt_g.variables, "opt_d": self.opt_d.variables}
        for k, (g, opt) in enumerate(zip(self.learning, self.opt_learning)):
            groups.update({f"lower{k}": g.weights, f"opt_lower{k}": opt.variables})
        named = {f"{k}_{i}": v for k, vs in groups.items() for i, v in enumerate(vs)}
        if self.redraws_z_rec:
            named["z_rec"] = self.z_rec
        return {**named, "rng": self.rng.state, "lr_factor": self.lr_factor,
                "noise_amp": self.noise_amp}

    def state(self):
        """The training state as named numpy arrays (what a checkpoint holds)."""
        return {name: v.numpy() for name, v in self._state_variables().items()}

    def restore(self, arrays):
        """Sets the state of `state()`, at any time."""
        for name, v in self._state_variables().items():
            v.assign(arrays[name])
