"""The trained artifact: a pyramid of generators and the one path that samples from it.

  x_0 = G_0(amp_0 * z_0, 0);   x_n = G_n(amp_n * z_n + up(x_{n-1}), up(x_{n-1}))

Every use (random samples, samples from scale k, reconstruction, training the
next scale) is `generate` with different noise.
"""

import tensorflow as tf

from singan_tf import resize
from singan_tf.errors import ConfigError

# Largest output sampled at once: about 2.5 GiB per megapixel at the official
# widths on top of ~0.7 GiB (benchmarks/sample_memory.py), so ~11 GiB at most.
MAX_OUTPUT_PIXELS = 4_000_000


class SinGAN:
    """Generators coarse to fine with their noise amplitudes and training sizes.

    The reconstruction noise `z_rec` is fixed at the coarsest scale (zeros at
    the others): generating with it reproduces the training image.
    """

    def __init__(self, ratio, z_rec):
        self.ratio = float(ratio)
        self.z_rec = tf.constant(z_rec, tf.float32)  # [1, h0, w0, 1]
        self.generators = []
        self.noise_amps = []
        self.sizes = []

    @property
    def num_scales(self):
        return len(self.generators)

    def add_scale(self, generator, noise_amp, size):
        """Appends a trained (frozen) scale on top of the pyramid."""
        generator.trainable = False
        self.generators.append(generator)
        self.noise_amps.append(float(noise_amp))
        self.sizes.append(tuple(size))

    def coarsest(self, n):
        """The pyramid of scales 0..n-1 only (sharing the generators)."""
        lower = SinGAN(self.ratio, self.z_rec)
        for generator, amp, size in zip(self.generators[:n], self.noise_amps[:n], self.sizes[:n]):
            lower.add_scale(generator, amp, size)
        return lower

    def noise_shapes(self, batch=1, scale_h=1.0, scale_w=1.0):
        """Noise shape per scale: single-channel at the coarsest, RGB above.

        Scales may be tensors (a serving signature's inputs); both forms round
        half to even, so the sizes agree.
        """
        return [[batch, _scaled(h, scale_h), _scaled(w, scale_w), 1 if n == 0 else 3]
                for n, (h, w) in enumerate(self.sizes)]

    def output_size(self, scale_h=1.0, scale_w=1.0):
        """The finest size for these noise scales; refuses sizes that cannot or should not run."""
        if scale_h <= 0 or scale_w <= 0:
            raise ConfigError(f"scale_h={scale_h} and scale_w={scale_w} must be positive")
        shapes = self.noise_shapes(1, scale_h, scale_w)
        if min(min(shape[1:3]) for shape in shapes) < 1:
            raise ConfigError(f"scale_h={scale_h}, scale_w={scale_w} leave no pixel at the "
                              f"coarsest scale {self.sizes[0]}")
        h, w = shapes[-1][1:3]
        if h * w > MAX_OUTPUT_PIXELS:
            raise ConfigError(f"a {h}x{w} output is above the limit of {MAX_OUTPUT_PIXELS:,} "
                              f"pixels (about 11 GB to sample): lower scale_h/scale_w")
        return h, w

    def reconstruction_noise(self):
        return [self.z_rec] + [tf.zeros(s) for s in self.noise_shapes()[1:]]

    def seeded_noise(self, seed, scale_h=1.0, scale_w=1.0):
        """Noise for one image, a pure function of (seed, scale): same seed, same image."""
        seed = tf.cast(seed, tf.int64)
        return [tf.random.stateless_normal(shape, seed=tf.stack([seed, tf.constant(n, tf.int64)]))
                for n, shape in enumerate(self.noise_shapes(1, scale_h, scale_w))]

    def upsample(self, images, size):
        """Resizes by 1 / r and crops to `size`, as the reference does between scales."""
        return resize.resize(images, size, (1.0 / self.ratio, 1.0 / self.ratio))

    def generate(self, noise, start_scale=0, injected=None, training=False):
        """Runs the pyramid on per-scale `noise`; the one path every use takes.

        noise[n] is [B, h_n, w_n, C] (C = 1 is broadcast over RGB) and sets the
        size at scale n. Below `start_scale` the fixed reconstruction noise
        replaces it, which keeps the training image's layout and varies only
        finer detail; `start_scale` may be a tensor (a serving input).
        `injected` ([B, H, W, 3], any size) replaces the output of scale
        start_scale - 1 (paint-to-image, harmonization, editing, and training's
        lower scales on top of the frozen ones): it is resized to that scale's
        size and the scales from start_scale up refine it. With `training` the
        generators run in training mode (batch statistics).
        """
        if injected is not None and not 1 <= start_scale <= self.num_scales:
            raise ValueError(f"injection needs start_scale in 1..{self.num_scales}")
        rec_noise = self.reconstruction_noise()
        images, first = None, 0
        if injected is not None:
            images, first = _resized(injected, _spatial_size(noise[start_scale - 1])), start_scale
        for n in range(first, self.num_scales):
            z = _noise_or_reconstruction(n, start_scale, noise[n], rec_noise[n])
            if images is None:
                prev = tf.zeros(tf.concat([tf.shape(noise[n])[:3], [3]], axis=0))
            else:
                prev = self.upsample(images, _spatial_size(noise[n]))
            images = self.generators[n](self.noise_amps[n] * z + prev, prev, training=training)
        return images

    def inject(self, image, start_scale, seed=0):
        """One [H, W, 3] image (any size) refined from `start_scale` with noise from `seed`."""
        return self.generate(self.seeded_noise(seed), start_scale=start_scale,
                             injected=tf.convert_to_tensor(image, tf.float32)[None])[0]

    def reconstruct(self):
        """The pyramid's reconstruction of the training image, [1, H, W, 3]."""
        return self.generate(self.reconstruction_noise())


def resize_to(images, size):
    """Resizes [B, H, W, 3] images to `size` = (h, w), kernel scaled by the size ratio."""
    in_size = _spatial_size(images)
    scale = [tf.cast(size[i], tf.float32) / tf.cast(in_size[i], tf.float32) for i in range(2)]
    return resize.resize(images, size, scale)


def _resized(images, size):
    """`images` at `size`: as they are when they have it already, else `resize_to` it."""
    images = tf.convert_to_tensor(images, tf.float32)
    if isinstance(size, tuple) and tuple(images.shape[1:3]) == size:
        return images
    return resize_to(images, size)


def _noise_or_reconstruction(n, start_scale, z, z_rec):
    """Scale n's noise: `z` from `start_scale` up, the reconstruction noise below it."""
    if isinstance(start_scale, int):
        return z if n >= start_scale else z_rec
    return tf.cond(n >= start_scale, lambda: z, lambda: z_rec)


def _scaled(size, scale):
    if isinstance(scale, (int, float)):
        return round(size * scale)
    return tf.cast(tf.round(size * tf.cast(scale, tf.float64)), tf.int32)


def _spatial_size(tensor):
    """(h, w) of a [B, h, w, C] tensor: Python ints when static, else a tensor."""
    static = tensor.shape[1:3]
    return tuple(static) if static.is_fully_defined() else tf.shape(tensor)[1:3]
