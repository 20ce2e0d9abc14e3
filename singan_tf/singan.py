"""The trained artifact: a pyramid of generators and the one path that samples from it.

  x_0 = G_0(amp_0 * z_0, 0);   x_n = G_n(amp_n * z_n, up(x_{n-1}))
  (G_n(noise, prev) = prev + tanh(convs(pad(prev) + pad(noise))))

Every use (random samples, samples from scale k, reconstruction, injection,
training the next scale) is `generate` with different noise and a different
starting image.
"""

import tensorflow as tf

from singan_tf import resize
from singan_tf.errors import ConfigError

class SinGAN:
    """Generators coarse to fine with their noise amplitudes and training sizes.

    The reconstruction noise `z_rec` is fixed at the coarsest scale (zeros at
    the others): generating with it reproduces the training image. With
    `noise_padding` (pixels per side; the official animation training) the
    noise maps are drawn that much larger than the images, instead of being
    zero-padded by the generators.
    """

    def __init__(self, ratio, z_rec, noise_padding=0):
        self.ratio = float(ratio)
        self.z_rec = tf.constant(z_rec, tf.float32)  # [1, h0 (+ 2 pad), w0 (+ 2 pad), 1]
        self.noise_padding = int(noise_padding)
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

    def with_scale(self, n, generator, noise_amp):
        """A copy of the pyramid with scale n's generator and noise amplitude replaced."""
        copy = self.coarsest(self.num_scales)
        generator.trainable = False
        copy.generators[n], copy.noise_amps[n] = generator, float(noise_amp)
        return copy

    def coarsest(self, n):
        """The pyramid of scales 0..n-1 only (sharing the generators)."""
        lower = SinGAN(self.ratio, self.z_rec, self.noise_padding)
        for generator, amp, size in zip(self.generators[:n], self.noise_amps[:n], self.sizes[:n]):
            lower.add_scale(generator, amp, size)
        return lower

    def noise_shapes(self, batch=1, scale_h=1.0, scale_w=1.0):
        """Noise shape per scale: single-channel at the coarsest, RGB above.

        Scales may be tensors (a serving signature's inputs); both forms round
        half to even, so the sizes agree.
        """
        pad = 2 * self.noise_padding
        return [[batch, _scaled(h, scale_h) + pad, _scaled(w, scale_w) + pad, 1 if n == 0 else 3]
                for n, (h, w) in enumerate(self.sizes)]

    def output_size(self, scale_h=1.0, scale_w=1.0):
        """The finest size for these noise scales; refuses sizes that leave no pixel."""
        if scale_h <= 0 or scale_w <= 0:
            raise ConfigError(f"scale_h={scale_h} and scale_w={scale_w} must be positive")
        sizes = [(_scaled(h, scale_h), _scaled(w, scale_w)) for h, w in self.sizes]
        if min(min(size) for size in sizes) < 1:
            raise ConfigError(f"scale_h={scale_h}, scale_w={scale_w} leave no pixel at the "
                              f"coarsest scale {self.sizes[0]}")
        return sizes[-1]

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

    def downscale(self, images, n):
        """Images of the finest size shrunk to scale n exactly as the pyramid builds the
        training image's scale n (pyramid.build_pyramid): kernel scale r^(N-n), the output
        the ceil'd size cropped to scale n's."""
        scale = self.ratio ** (self.num_scales - 1 - n)
        return resize.resize(images, self.sizes[n], (scale, scale))

    def generate(self, noise, start_scale=0, prev=None, training=False):
        """Runs the pyramid on per-scale `noise`; the one path every use takes.

        noise[n] is [B, h_n, w_n, C] (C = 1 is broadcast over RGB) and sets the
        size at scale n. Below `start_scale` the fixed reconstruction noise
        replaces it, which keeps the training image's layout and varies only
        finer detail; `start_scale` may be a tensor (a serving input). `prev`
        ([B, h_k, w_k, 3], the size of scale k = start_scale) is what scale k
        refines instead of the upsampled output of the scales below: an image
        injected there (see `injection`), or training's frozen scales' output.
        With `training` the generators run in training mode (batch statistics).
        """
        images, rec_noise = None, self.reconstruction_noise()
        for n in range(start_scale if prev is not None else 0, self.num_scales):
            z = _noise_or_reconstruction(n, start_scale, noise[n], rec_noise[n])
            if images is None and prev is not None:
                below = tf.convert_to_tensor(prev, tf.float32)
            elif images is None:
                below = tf.zeros(tf.concat([tf.shape(noise[n])[:1], self._image_size(noise[n]),
                                            [3]], axis=0))
            else:
                below = self.upsample(images, self._image_size(noise[n]))
            images = self.generators[n](self.noise_amps[n] * z, below, training=training)
        return images

    def injection(self, images, start_scale):
        """What scale k = start_scale refines when `images` ([B, H, W, 3], any size) are
        injected there, as the reference injects: resized to the finest size (when it
        differs), shrunk as the pyramid builds scale k - 1, then upsampled to scale k.
        Paint-to-image, harmonization and editing all inject this way."""
        if not 1 <= start_scale < self.num_scales:
            raise ValueError(f"injection needs start_scale in 1..{self.num_scales - 1}")
        images = tf.convert_to_tensor(images, tf.float32)
        if tuple(images.shape[1:3]) != self.sizes[-1]:
            images = resize_to(images, self.sizes[-1])
        return self.upsample(self.downscale(images, start_scale - 1), self.sizes[start_scale])

    def inject(self, image, start_scale, seed=0):
        """One [H, W, 3] image (any size) refined from `start_scale` with noise from `seed`."""
        prev = self.injection(tf.convert_to_tensor(image, tf.float32)[None], start_scale)
        return self.generate(self.seeded_noise(seed), start_scale, prev=prev)[0]

    def reconstruct(self):
        """The pyramid's reconstruction of the training image, [1, H, W, 3]."""
        return self.generate(self.reconstruction_noise())

    def _image_size(self, noise):
        """(h, w) of the images at the scale of `noise` (smaller by any noise padding)."""
        h, w = _spatial_size(noise)
        return (h - 2 * self.noise_padding, w - 2 * self.noise_padding)


def resize_to(images, size):
    """Resizes [B, H, W, 3] images to `size` = (h, w), kernel scaled by the size ratio."""
    in_size = _spatial_size(images)
    scale = [tf.cast(size[i], tf.float32) / tf.cast(in_size[i], tf.float32) for i in range(2)]
    return resize.resize(images, size, scale)


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
    """(h, w) of a [B, h, w, C] tensor: Python ints when static, else scalar tensors."""
    static = tensor.shape[1:3]
    if static.is_fully_defined():
        return tuple(static)
    shape = tf.shape(tensor)
    return shape[1], shape[2]
