"""SIFID (SinGAN): the Frechet distance of per-location InceptionV3 features of two images.

The weights are the user's (Keras InceptionV3 without its top); nothing is
downloaded. The official code uses torchvision's ImageNet weights, so values
are comparable between runs here, not with published numbers.
"""

import os

import numpy as np
import tensorflow as tf

from singan_tf.errors import ConfigError

# InceptionV3 feature map per layer choice: the input of the first or second max pooling.
LAYERS = {64: 0, 192: 1}


def gaussian_frechet_distance(mean_a, cov_a, mean_b, cov_b):
    """|mu_a - mu_b|^2 + Tr(C_a + C_b - 2 (C_a C_b)^1/2) between two Gaussians.

    Tr (C_a C_b)^1/2 is computed as Tr (C_a^1/2 C_b C_a^1/2)^1/2, the square
    root of a symmetric matrix, so only symmetric eigensolvers are needed.
    """
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
    cross = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    diff = np.asarray(mean_a) - np.asarray(mean_b)
    return float(diff @ diff + np.trace(cov_a) + np.trace(cov_b)
                 - 2.0 * np.sum(np.sqrt(np.clip(cross, 0.0, None))))


def frechet_distance(features_a, features_b):
    """Frechet distance between the Gaussian statistics of two [N, C] feature sets."""
    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    return gaussian_frechet_distance(a.mean(axis=0), np.cov(a, rowvar=False),
                                     b.mean(axis=0), np.cov(b, rowvar=False))


def load_inception(weights_path, layer=64):
    """InceptionV3 up to the feature map SIFID reads, with the user's weights.

    `layer` 64 is the map before the first max pooling (the official SIFID
    code), 192 the map before the second (the SinGAN paper's text). The weights
    file is Keras InceptionV3 without its top (.h5 or .keras); nothing is
    downloaded.
    """
    import keras

    if layer not in LAYERS:
        raise ConfigError(f"sifid layer must be one of {sorted(LAYERS)}, not {layer}")
    if not os.path.isfile(weights_path):
        raise ConfigError(f"inception weights not found: {weights_path}")
    base = keras.applications.InceptionV3(weights=None, include_top=False,
                                          input_shape=(None, None, 3))
    try:
        base.load_weights(weights_path)
    except (OSError, ValueError, KeyError) as e:
        raise ConfigError(f"cannot load InceptionV3 weights from {weights_path}: {e}") from e
    pools = [l for l in base.layers if isinstance(l, keras.layers.MaxPooling2D)]
    return keras.Model(base.inputs, pools[LAYERS[layer]].input)


def inception_features(model, image):
    """Per-location features of one image in [-1, 1] (InceptionV3's input range): [N, C]."""
    features = model(tf.convert_to_tensor(image, tf.float32)[None], training=False)
    return tf.reshape(features, [-1, features.shape[-1]]).numpy()


def sifid(model, real, fake):
    """Single-image FID: the Frechet distance of per-location features of real and fake."""
    return frechet_distance(inception_features(model, real), inception_features(model, fake))
