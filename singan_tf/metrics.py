"""Sample-quality metrics for single-image GANs: one real image against its fakes.

Every image is float [H, W, 3] in [-1, 1]; fakes may differ in size from the
real image (patch metrics compare distributions, not pixels). Lower is better
for every distance here.

  swd             sliced Wasserstein distance between 7x7 patch distributions
                  over a Laplacian pyramid (Karras et al. 2018, ProGAN)
  patch_nn        mean nearest-neighbour patch distance, fake -> real
                  (are fake patches plausible?) and real -> fake (is the real
                  image covered?), over a Gaussian pyramid
  (both pyramids are kept at every phase of their grids: see `blur_stack`)
  diversity       per-pixel std over the fakes / std of the real (SinGAN paper)
  sifid           Frechet distance of per-location InceptionV3 features (SinGAN)
  psnr_ssim       pixel fidelity against a reference (super-resolution)

Patch sampling uses a fixed seed, so every number is deterministic.
"""

import math
import os

import numpy as np
import tensorflow as tf

from singan_tf.errors import ConfigError, ImageError

PATCH_SIZE = 7
# The coarsest pyramid level keeps its shorter side at least this long (ProGAN: 16 px).
MIN_LEVEL_SIZE = 16
# One 8-bit grey level in [-1, 1] units: the floor of a standard deviation we divide by,
# so that a flat real image does not divide by zero.
_GREY_LEVEL = 2.0 / 255.0
# Distance-matrix elements per chunk in patch_nn (64 MiB of float32).
_CHUNK_ELEMENTS = 1 << 24
# InceptionV3 feature map per --sifid_layer: the input of the first or second max pooling.
SIFID_LAYERS = {64: 0, 192: 1}


def num_levels(*shapes):
    """Pyramid levels that every image of `shapes` ([H, W, ...]) has room for.

    Each level halves the previous; the coarsest keeps its shorter side at
    least MIN_LEVEL_SIZE px (a 188 x 250 image gets 4: 188, 94, 47, 24 px).
    """
    shorter = min(min(shape[0], shape[1]) for shape in shapes)
    if shorter < PATCH_SIZE:
        raise ImageError(f"image too small for {PATCH_SIZE}x{PATCH_SIZE} patches: "
                         f"shorter side {shorter} px")
    levels = 1
    while math.ceil(shorter / 2 ** levels) >= MIN_LEVEL_SIZE:
        levels += 1
    return levels


def blur_stack(image, levels):
    """The image and `levels - 1` ever smoother copies of it, all at full size.

    Copy k + 1 is copy k filtered by the 5-tap binomial kernel with its taps
    2^k px apart (the "a trous" algorithm), so copy k sampled every 2^k px is
    level k of the Burt-Adelson Gaussian pyramid. Keeping every sampling phase
    instead of one makes the patch metrics blind to where a crop starts.
    """
    binomial = np.array([1.0, 4.0, 6.0, 4.0, 1.0], np.float32) / 16.0
    kernel = np.tile(np.outer(binomial, binomial)[:, :, None, None], [1, 1, 3, 1])
    stack = [tf.convert_to_tensor(image, tf.float32)[None]]
    for k in range(levels - 1):
        pad = 2 * 2 ** k
        padded = tf.pad(stack[-1], [[0, 0], [pad, pad], [pad, pad], [0, 0]], mode="REFLECT")
        stack.append(tf.nn.depthwise_conv2d(padded, kernel, [1, 1, 1, 1], "VALID",
                                            dilations=[2 ** k, 2 ** k]))
    return [copy[0] for copy in stack]


def laplacian_stack(image, levels):
    """Band-pass copies (each blur-stack copy minus the next), then the smoothest copy.

    Sampled every 2^k px, band k is the Laplacian pyramid level that ProGAN's
    SWD compares; the bands sum back to the image.
    """
    stack = blur_stack(image, levels)
    return [fine - coarse for fine, coarse in zip(stack, stack[1:])] + [stack[-1]]


def patch_grid(height, width, rate=1):
    """Rows and columns of patch positions in an image; a patch spans 6 * rate + 1 px."""
    span = (PATCH_SIZE - 1) * rate + 1
    return height - span + 1, width - span + 1


def sample_positions(height, width, count, rng, rate=1):
    """Top-left corners of `count` distinct random patches, or of all of them if fewer."""
    rows, cols = patch_grid(height, width, rate)
    total = rows * cols
    chosen = np.arange(total) if count >= total else rng.choice(total, count, replace=False)
    return np.stack([chosen // cols, chosen % cols], axis=1).astype(np.int32)


def patches(image, positions, rate=1):
    """The 7x7 patches (taps `rate` px apart) of [H, W, C] `image` at `positions`: [N, 49 C]."""
    offsets = rate * np.mgrid[0:PATCH_SIZE, 0:PATCH_SIZE].transpose(1, 2, 0).astype(np.int32)
    found = tf.gather_nd(image, positions[:, None, None, :] + offsets[None])
    return tf.reshape(found, [len(positions), -1])


def sliced_wasserstein(a, b, directions):
    """Mean over unit `directions` [D, K] of the 1-D Wasserstein-1 distance of [N, D] sets.

    With equal set sizes the 1-D optimal transport pairs the sorted projections
    (sorted by numpy: several times faster than tf.sort on CPU).
    """
    projected_a, projected_b = [
        np.sort(tf.matmul(directions, x, transpose_a=True, transpose_b=True).numpy(), axis=1)
        for x in (a, b)]  # [K, N]
    return float(np.mean(np.abs(projected_a - projected_b)))


def swd(real, fake, levels, num_patches=4096, num_projections=512, seed=0):
    """Sliced Wasserstein distance of 7x7 patches per Laplacian level, finest first.

    As ProGAN's, except in choices made for one image pair rather than
    thousands of images: up to `num_patches` patches per level (ProGAN: 128 per
    image, pooled over 16k images), drawn at every phase of the level's grid
    (see `blur_stack`), the same count from both images; and the descriptors of
    both are normalised per channel by the real image's mean and std at that
    level (ProGAN normalises each set by its own, which would hide a blur or a
    contrast change). `num_projections` random unit directions are drawn with
    `seed` (ProGAN: 4 x 128).
    """
    rng = np.random.default_rng(seed)
    directions = rng.standard_normal((PATCH_SIZE * PATCH_SIZE * 3, num_projections))
    directions = tf.constant(directions / np.linalg.norm(directions, axis=0), tf.float32)
    distances = []
    for k, bands in enumerate(zip(laplacian_stack(real, levels), laplacian_stack(fake, levels))):
        rate = 2 ** k
        count = min(num_patches, *[math.prod(patch_grid(*band.shape[:2], rate)) for band in bands])
        a, b = [tf.reshape(patches(band, sample_positions(*band.shape[:2], count, rng, rate), rate),
                           [count, -1, 3]) for band in bands]  # [N, 49, channel]
        mean, variance = tf.nn.moments(a, axes=[0, 1])
        std = tf.maximum(tf.sqrt(variance), _GREY_LEVEL)
        a, b = [tf.reshape((x - mean) / std, [count, -1]) for x in (a, b)]
        distances.append(sliced_wasserstein(a, b, directions))
    return np.array(distances)


def mean_nn_distance(queries, database):
    """Mean over [N, D] `queries` of the RMS difference to the nearest of [M, D] `database`.

    Squared distances are |q|^2 + |d|^2 - 2 q.d: one matrix product per chunk
    of queries, the chunk sized to bound memory.
    """
    database_sq = tf.reduce_sum(tf.square(database), axis=1)
    chunk = max(1, _CHUNK_ELEMENTS // int(database.shape[0]))
    nearest = []
    for start in range(0, int(queries.shape[0]), chunk):
        q = queries[start:start + chunk]
        sq = (tf.reduce_sum(tf.square(q), axis=1, keepdims=True) + database_sq[None]
              - 2.0 * tf.matmul(q, database, transpose_b=True))
        nearest.append(tf.reduce_min(sq, axis=1))
    nearest = tf.maximum(tf.concat(nearest, axis=0), 0.0) / int(queries.shape[1])
    return float(tf.reduce_mean(tf.sqrt(nearest)))


def patch_nn(real, fake, levels, num_queries=256, max_database=65536, seed=0):
    """Nearest-neighbour 7x7 patch distances per Gaussian level, finest first.

    Returns (fake_to_real, real_to_fake), each an array over levels: for
    `num_queries` random patches of one image, the RMS pixel difference (in
    [-1, 1] units) to the closest patch of the other, averaged. Every patch
    position of the searched image is used, up to `max_database` (a 250 px
    image has about 44k at the finest level), so a copied region matches
    exactly at every level wherever it was cut from.
    """
    rng = np.random.default_rng(seed)

    def distance(query_image, database_image, rate):
        queries = sample_positions(*query_image.shape[:2], num_queries, rng, rate)
        database = sample_positions(*database_image.shape[:2], max_database, rng, rate)
        return mean_nn_distance(patches(query_image, queries, rate),
                                patches(database_image, database, rate))

    pairs = list(zip(blur_stack(real, levels), blur_stack(fake, levels)))
    fake_to_real = np.array([distance(f, r, 2 ** k) for k, (r, f) in enumerate(pairs)])
    real_to_fake = np.array([distance(r, f, 2 ** k) for k, (r, f) in enumerate(pairs)])
    return fake_to_real, real_to_fake


def diversity(real, fakes):
    """The SinGAN paper's diversity, or None when it is undefined.

    The standard deviation of each pixel's intensity (luma) over the fakes,
    averaged over pixels, divided by the standard deviation of the real
    image's intensities. It needs two or more fakes of one size.
    """
    if len(fakes) < 2 or len({np.shape(f) for f in fakes}) > 1:
        return None
    spread = tf.math.reduce_std(tf.image.rgb_to_grayscale(np.stack(fakes).astype(np.float32)),
                                axis=0)
    real_std = tf.math.reduce_std(tf.image.rgb_to_grayscale(np.asarray(real, np.float32)))
    return float(tf.reduce_mean(spread) / tf.maximum(real_std, _GREY_LEVEL))


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


def sifid_model(weights_path, layer=64):
    """InceptionV3 up to the feature map SIFID reads, with the user's weights.

    `layer` 64 is the map before the first max pooling (the official SIFID
    code), 192 the map before the second (the SinGAN paper's text). The weights
    file is Keras InceptionV3 without its top (.h5 or .keras); nothing is
    downloaded. Note the official code uses torchvision's ImageNet weights, so
    values are comparable between runs here, not with published numbers.
    """
    import keras

    if layer not in SIFID_LAYERS:
        raise ConfigError(f"sifid layer must be one of {sorted(SIFID_LAYERS)}, not {layer}")
    if not os.path.isfile(weights_path):
        raise ConfigError(f"inception weights not found: {weights_path}")
    base = keras.applications.InceptionV3(weights=None, include_top=False,
                                          input_shape=(None, None, 3))
    try:
        base.load_weights(weights_path)
    except (OSError, ValueError, KeyError) as e:
        raise ConfigError(f"cannot load InceptionV3 weights from {weights_path}: {e}") from e
    pools = [l for l in base.layers if isinstance(l, keras.layers.MaxPooling2D)]
    return keras.Model(base.inputs, pools[SIFID_LAYERS[layer]].input)


def inception_features(model, image):
    """Per-location features of one image in [-1, 1] (InceptionV3's input range): [N, C]."""
    features = model(tf.convert_to_tensor(image, tf.float32)[None], training=False)
    return tf.reshape(features, [-1, features.shape[-1]]).numpy()


def sifid(model, real, fake):
    """Single-image FID: the Frechet distance of per-location features of real and fake."""
    return frechet_distance(inception_features(model, real), inception_features(model, fake))


def psnr_ssim(a, b):
    """(PSNR in dB, SSIM) between two images of the same size in [-1, 1].

    The peak-to-peak value is 2, so both equal what 8-bit tools report on [0, 255].
    """
    if np.shape(a) != np.shape(b):
        raise ImageError(f"cannot compare images of different sizes: "
                         f"{np.shape(a)[0]}x{np.shape(a)[1]} and {np.shape(b)[0]}x{np.shape(b)[1]}")
    a, b = tf.convert_to_tensor(a, tf.float32), tf.convert_to_tensor(b, tf.float32)
    return float(tf.image.psnr(a, b, max_val=2.0)), float(tf.image.ssim(a, b, max_val=2.0))


def evaluate_samples(real, fakes, inception=None, reference=None):
    """Every metric for one real image and a list of fakes, as a JSON-ready dict.

    Distances are averaged over fakes (and, for the headline numbers, over
    pyramid levels, which are shared by all images: see `num_levels`). SIFID
    needs `inception` (see `sifid_model`); PSNR/SSIM need `reference` and use
    only the fakes of its size (None when there are none).
    """
    levels = num_levels(np.shape(real), *[np.shape(f) for f in fakes])
    real_features = None if inception is None else inception_features(inception, real)
    rows = []
    for fake in fakes:
        fake_to_real, real_to_fake = patch_nn(real, fake, levels)
        row = {"swd_per_level": swd(real, fake, levels),
               "nn_fake_to_real_per_level": fake_to_real,
               "nn_real_to_fake_per_level": real_to_fake}
        if inception is not None:
            row["sifid"] = frechet_distance(real_features, inception_features(inception, fake))
        if reference is not None and np.shape(fake) == np.shape(reference):
            row["psnr"], row["ssim"] = psnr_ssim(reference, fake)
        rows.append(row)

    summary = {"levels": levels, "num_fakes": len(fakes)}
    for name in ("swd", "nn_fake_to_real", "nn_real_to_fake"):
        per_level = np.mean([row[f"{name}_per_level"] for row in rows], axis=0)
        summary[name] = float(per_level.mean())
        summary[f"{name}_per_level"] = per_level.tolist()
        for row in rows:
            row[name] = float(row[f"{name}_per_level"].mean())
            row[f"{name}_per_level"] = row[f"{name}_per_level"].tolist()
    summary["diversity"] = diversity(real, fakes)
    if inception is not None:
        summary["sifid"] = float(np.mean([row["sifid"] for row in rows]))
    if reference is not None:
        compared = [row for row in rows if "psnr" in row]
        summary["psnr"] = float(np.mean([r["psnr"] for r in compared])) if compared else None
        summary["ssim"] = float(np.mean([r["ssim"] for r in compared])) if compared else None
    summary["per_fake"] = rows
    return summary
