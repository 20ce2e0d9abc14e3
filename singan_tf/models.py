"""The per-scale networks: a residual generator and a patch critic.

Both are five 3x3 convolutions without padding (head, three body blocks, tail),
the blocks Conv -> BatchNorm -> LeakyReLU(0.2), as in the official SinGAN. The
generator pads its input by 5 px so its output keeps the input size; the
critic sees unpadded images and scores every 11x11 patch.
"""

import keras
import tensorflow as tf


def kernel_init():
    """Official conv init N(0, 0.02). A new initializer per layer: a Keras 3
    initializer fixes its seed when constructed, so a shared one would give
    every layer of the same shape the same weights."""
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.02)


def gamma_init():
    """Official BatchNorm scale init N(1, 0.02), one initializer per layer."""
    return keras.initializers.RandomNormal(mean=1.0, stddev=0.02)


def scale_channels(scale, nfc, min_nfc, max_nfc=128):
    """(nfc, min_nfc) at a scale: the widths double every 4 scales, up to max_nfc."""
    growth = 2 ** (scale // 4)
    return min(nfc * growth, max_nfc), min(min_nfc * growth, max_nfc)


def layer_channels(nfc, min_nfc, num_layer):
    """Output channels of the head and body blocks: nfc, then halving, never below min_nfc."""
    return [nfc] + [max(nfc // 2 ** (i + 1), min_nfc) for i in range(num_layer - 2)]


class BatchNormalization(keras.layers.BatchNormalization):
    """Keras' BatchNormalization, normalizing with TF's fused kernel in training.

    Keras 3 builds training-mode statistics from separate reductions whose
    variance stops the gradient at the mean: exact to first order, but the
    gradient penalty differentiates twice, and its gradient for the weights
    below the normalization then comes out wrong (9 % off in
    tests/test_models.py). FusedBatchNormV3's registered second derivative is
    exact, and the one fused op is faster. Same weights, same moving statistics
    (biased variance, as Keras keeps), same inference path; the class name, and
    so the weight files' layout, is Keras'.
    """

    def call(self, inputs, training=None, mask=None):
        if not (training and self.trainable):
            return super().call(inputs, training=training, mask=mask)
        outputs, mean, variance, _, _, _ = tf.raw_ops.FusedBatchNormV3(
            x=inputs, scale=self.gamma, offset=self.beta, mean=tf.zeros([0]),
            variance=tf.zeros([0]), epsilon=self.epsilon, exponential_avg_factor=1.0,
            data_format="NHWC", is_training=True)
        count = inputs.shape[:-1].num_elements()  # known when traced for one scale
        if count is None:
            count = tf.cast(tf.reduce_prod(tf.shape(inputs)[:-1]), variance.dtype)
        variance *= (count - 1.0) / count  # the op returns the unbiased variance
        self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1.0 - self.momentum))
        self.moving_variance.assign(
            self.moving_variance * self.momentum + variance * (1.0 - self.momentum))
        return outputs


def zero_pad(images, width):
    """[B, H, W, C] images with `width` rows and columns of zeros on every side.

    Built by concatenation: a tf.pad feeding a convolution is folded into it
    (oneDNN's padded convolution), whose sums round differently from a valid
    convolution of the padded image. Kept apart, a tile of a large sample,
    computed from its halo (tiled.py), rounds as the whole image does.
    """
    shape = tf.shape(images)
    rows = tf.zeros(tf.stack([shape[0], width, shape[2], shape[3]]), images.dtype)
    images = tf.concat([rows, images, rows], axis=1)
    cols = tf.zeros(tf.stack([shape[0], shape[1] + 2 * width, width, shape[3]]), images.dtype)
    return tf.concat([cols, images, cols], axis=2)


def conv_block(filters, kernel_size, name):
    return keras.Sequential([
        keras.layers.Conv2D(filters, kernel_size, kernel_initializer=kernel_init()),
        BatchNormalization(momentum=0.9, epsilon=1e-5, gamma_initializer=gamma_init()),
        keras.layers.LeakyReLU(negative_slope=0.2),
    ], name=name)


class _ConvStack(keras.Model):
    """Blocks of valid convolutions followed by a plain convolutional tail."""

    def __init__(self, nfc, min_nfc, num_layer, kernel_size, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.nfc, self.min_nfc = nfc, min_nfc
        self.num_layer, self.kernel_size = num_layer, kernel_size
        self.blocks = [conv_block(c, kernel_size, name=f"block{i}")
                       for i, c in enumerate(layer_channels(nfc, min_nfc, num_layer))]
        self.tail = keras.layers.Conv2D(
            out_channels, kernel_size, kernel_initializer=kernel_init(), name="tail")

    @property
    def shrink(self):
        """Pixels lost on each side by the valid convolutions."""
        return self.num_layer * (self.kernel_size // 2)

    def features(self, x, training):
        for block in self.blocks:
            x = block(x, training=training)
        return self.tail(x)


class Generator(_ConvStack):
    """G_n: adds detail to the upsampled previous scale.

    Called as G(noise, prev): `prev` [B, H, W, 3] is the image to refine,
    `noise` the noise map times its amplitude, [B, H, W, C], zero-padded here as
    the official code pads it; with `noise_padding` (the official animation
    training) it is drawn at the padded size [B, H + 10, W + 10, C] instead.
    Returns prev + tanh(convs(pad(prev) + pad(noise))), [B, H, W, 3].
    """

    def __init__(self, nfc, min_nfc, num_layer=5, kernel_size=3, noise_padding=False, **kwargs):
        super().__init__(nfc, min_nfc, num_layer, kernel_size, out_channels=3, **kwargs)
        self.noise_padding = noise_padding

    def call(self, noise, prev, training=False):
        if self.noise_padding:
            padded = noise + zero_pad(prev, self.shrink)
        else:
            padded = zero_pad(noise + prev, self.shrink)
        return self.refine(padded, prev, training)

    def refine(self, padded, prev, training=False):
        """prev + tanh(convs(padded)): `padded` is the input already padded, 10 px larger
        than `prev` (a tile with its halo, in tiled sampling)."""
        return prev + tf.tanh(self.features(padded, training))

    def build_at(self, size):
        """Creates the weights for (h, w) = `size` inputs (one call on zeros); returns self."""
        prev = tf.zeros([1, *size, 3])
        margin = 2 * self.shrink if self.noise_padding else 0
        self(tf.zeros([1, size[0] + margin, size[1] + margin, 3]), prev)
        return self


class Discriminator(_ConvStack):
    """D_n: a WGAN critic map, one score per 11x11 patch ([B, H-10, W-10, 1])."""

    def __init__(self, nfc, min_nfc, num_layer=5, kernel_size=3, **kwargs):
        super().__init__(nfc, min_nfc, num_layer, kernel_size, out_channels=1, **kwargs)

    def call(self, images, training=False):
        return self.features(images, training)

    def build_at(self, size):
        """Creates the weights for (h, w) = `size` inputs (one call on zeros); returns self."""
        self(tf.zeros([1, *size, 3]))
        return self
