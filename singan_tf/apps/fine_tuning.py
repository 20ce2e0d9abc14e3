"""Harmonization's optional fine-tuning, as ConSinGAN's --fine_tune: the finest scales
trained further with the naive image as their input.

The naive paste is injected at the harmonization's start scale K and the
finest scales (those from K up) train on with fresh noise from K on top of
it, while the critic's real image and the reconstruction target stay the
training image and the noise amplitudes stay the model's. The generators
learn to turn the paste into the training image's texture, which is what the
injection asks of them afterwards. Training starts from the saved generator
and critic weights; the copy is in memory, the model on disk is unchanged.
"""

import dataclasses

import tensorflow as tf

from singan_tf.config import TrainConfig
from singan_tf.training.step import ScaleTrainer


def fine_tune(model_dir, real, naive, start_scale, iters, num_scales=1):
    """A copy of the model in `model_dir` whose finest `num_scales` scales (at most those
    from `start_scale` up) were trained `iters` iterations with `naive` injected at
    `start_scale`. `real` (the training image) and `naive` are [H, W, 3] at the model's
    size; every other setting is the model's own."""
    model, manifest = model_dir.load()
    config = dataclasses.replace(TrainConfig.from_dict(manifest["config"]), niter=iters,
                                 train_depth=1)  # one scale at a time, as the reference
    rng = tf.random.Generator.from_seed(config.seed)
    injected = model.injection(tf.constant(naive[None], tf.float32), start_scale)
    real = tf.constant(real[None], tf.float32)
    top = model.num_scales - 1
    for n in range(max(start_scale, top - num_scales + 1), top + 1):
        generator = model.generators[n]
        generator.trainable = True
        trainer = ScaleTrainer(model.coarsest(n), model.downscale(real, n), generator,
                               model_dir.load_discriminator(n), config, rng,
                               noise_amp=model.noise_amps[n], injection=(injected, start_scale))
        for _ in range(iters):
            trainer.train_iteration()
        model = model.with_scale(n, generator, model.noise_amps[n])
    return model
