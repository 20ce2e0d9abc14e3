"""Harmonization's optional fine-tuning (ConSinGAN): the finest scales trained further first.

The finest scales are trained on from their saved generator and critic
weights, which adapts them to the pasted object's content before it is
injected. The copy is in memory: the model on disk is unchanged.
"""

import dataclasses

import tensorflow as tf

from singan_tf.config import TrainConfig
from singan_tf.singan import resize_to
from singan_tf.training.step import ScaleTrainer


def fine_tune(model_dir, naive, iters, num_scales=1):
    """A fresh copy of the model with its finest `num_scales` scales trained `iters` iterations
    on `naive` ([H, W, 3] at the model's size), with the model's own hyperparameters."""
    model, manifest = model_dir.load()
    config = dataclasses.replace(TrainConfig.from_dict(manifest["config"]), niter=iters,
                                 train_depth=1)  # one scale at a time, as the reference
    rng = tf.random.Generator.from_seed(config.seed)
    top = model.num_scales - 1
    for n in range(max(1, top - num_scales + 1), top + 1):
        real = resize_to(tf.constant(naive[None], tf.float32), model.sizes[n])
        generator = model.generators[n]
        generator.trainable = True
        scale = ScaleTrainer(model.coarsest(n), real, generator, model_dir.load_discriminator(n),
                             config, rng)
        for _ in range(iters):
            scale.train_iteration()
        generator.trainable = False
        model.noise_amps[n] = float(scale.noise_amp)
    return model
