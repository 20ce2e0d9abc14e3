"""Patch statistics of one real image against its fakes, and the fakes' diversity.

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

Patch sampling uses a fixed seed, so every number is deterministic.
"""

import math

import numpy as np
import tensorflow as tf

from singan_tf.errors import ImageError

PATCH_SIZE = 7
# The coarsest pyramid level keeps its shorter side at least this long (ProGAN: 16 px).
MIN_LEVEL_SIZE = 16
# One 8-bit grey level in [-1, 1] units: the floor of a standard deviation we divide by,
# so that a flat real image does not divide by zero.
_GREY_LEVEL = 2.0 / 255.0
# Distance-matrix elements per chunk in patch_nn (64 MiB of float32).
_CHUNK_ELEMENTS = 1 << 24


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
