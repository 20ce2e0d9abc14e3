"""Paint-to-image: a clip-art image injected at a coarse scale, the finer scales add texture.

With `quantize`, as the reference, the training image at the injection scale
K is reduced to a few colours (Pillow's median cut refined by k-means) and
the paint is mapped onto that palette, so its flat regions carry colours the
generators have seen. The reference then retrains scale K (`retrain`): a
fresh G_K and D_K learn to turn the scales below, mapped onto the palette, into
the real image at scale K, and the quantized paint, shrunk to scale K, is what
that G_K refines. Without retraining the quantized paint is injected as any
image (SinGAN.injection) into the model as trained.
"""

import dataclasses

import numpy as np
from PIL import Image
import tensorflow as tf

from singan_tf.config import TrainConfig
from singan_tf.io import images
from singan_tf.training.loop import scale_networks
from singan_tf.training.step import ScaleTrainer, scale_seed

COLORS = 5


def palette(model, real, start_scale, colors=COLORS):
    """The `colors` main colours, [colors, 3] in [-1, 1], of the real image ([H, W, 3] at the
    model's size) at scale K = start_scale, where the reference takes them."""
    at_scale = model.downscale(tf.constant(real[None], tf.float32), start_scale)[0].numpy()
    quantized = Image.fromarray(images.to_uint8(at_scale)).quantize(colors=colors, kmeans=colors)
    rgb = np.asarray(quantized.getpalette(), np.float32).reshape(-1, 3)
    used = sorted(index for _, index in quantized.getcolors())
    return rgb[used] / 127.5 - 1.0


def to_palette(pixels, centers):
    """Every pixel of [..., 3] `pixels` replaced by the nearest of the [K, 3] `centers`."""
    pixels = tf.convert_to_tensor(pixels, tf.float32)
    distances = tf.reduce_sum(tf.square(pixels[..., None, :] - centers), axis=-1)
    return tf.gather(tf.constant(centers, tf.float32), tf.argmin(distances, axis=-1))


def retrain(model_dir, real, start_scale, centers, iters):
    """The model with scale K = start_scale retrained from scratch, `iters` iterations, on the
    scales below mapped onto `centers` (the reference's train_paint); in memory."""
    model, manifest = model_dir.load()
    saved = TrainConfig.from_dict(manifest["config"])
    config = dataclasses.replace(saved, niter=iters, train_depth=1,
                                 lr_milestone=min(saved.lr_milestone, iters * 4 // 5))
    n = start_scale
    real_n = model.downscale(tf.constant(real[None], tf.float32), n)
    generator, discriminator = scale_networks(n, config, model.sizes[n])
    trainer = ScaleTrainer(model.coarsest(n), real_n, generator, discriminator, config,
                           tf.random.Generator.from_seed(scale_seed(config.seed, n)),
                           prev_transform=lambda prev: to_palette(prev, centers))
    for _ in range(iters):
        trainer.train_iteration()
    return model.with_scale(n, generator, float(trainer.noise_amp))


def paint2image(model, paint, start_scale, seed=0, retrained=False):
    """[H, W, 3] `paint` turned into an image from `start_scale` with noise from `seed`. With
    `retrained` (a model from `retrain`) the paint, shrunk to scale K, is what G_K refines;
    otherwise it is injected as any image. [H, W, 3]."""
    paint = tf.constant(paint[None], tf.float32)
    if retrained:
        prev = model.downscale(paint, start_scale)
    else:
        prev = model.injection(paint, start_scale)
    return model.generate(model.seeded_noise(seed), start_scale, prev=prev)[0].numpy()
