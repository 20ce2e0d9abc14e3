"""Harmonization: a naive paste injected at a scale takes on the image's style, blended by the mask.

Optionally, as ConSinGAN offers, the finest scales are first fine-tuned on the
naive image itself (from the saved generator and critic weights), which adapts
them to the pasted object's content before it is injected.
"""

import dataclasses

import tensorflow as tf

from singan_tf import model_dir as model_dir_lib
from singan_tf.apps import masks
from singan_tf.config import TrainConfig
from singan_tf.singan import resize_to
from singan_tf.trainer import ScaleTrainer


def harmonize(model, real, naive, mask, start_scale, seed=0,
              radius=masks.HARMONIZATION_RADIUS, sigma=masks.SIGMA):
    """The blended [H, W, 3] image for [H, W, 3] `real`, `naive` and an [H, W] `mask`."""
    raw = model.inject(naive, start_scale, seed).numpy()
    return masks.blend(real, raw, masks.soft_mask(mask, radius, sigma))


def fine_tune(model_dir, naive, iters, num_scales=1):
    """A fresh copy of the model with its finest `num_scales` scales trained `iters` iterations
    on `naive` ([H, W, 3] at the model's size), with the model's own hyperparameters."""
    model, manifest = model_dir_lib.load(model_dir)
    config = dataclasses.replace(TrainConfig.from_dict(manifest["config"]), niter=iters,
                                 train_depth=1)  # one scale at a time, as the reference
    rng = tf.random.Generator.from_seed(config.seed)
    top = model.num_scales - 1
    for n in range(max(1, top - num_scales + 1), top + 1):
        real = resize_to(tf.constant(naive[None], tf.float32), model.sizes[n])
        generator = model.generators[n]
        generator.trainable = True
        scale = ScaleTrainer(model.coarsest(n), real, generator,
                             model_dir_lib.load_discriminator(model_dir, n), config, rng)
        for _ in range(iters):
            scale.train_iteration()
        generator.trainable = False
        model.noise_amps[n] = scale.noise_amp
    return model
