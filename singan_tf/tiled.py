"""The pyramid, tile by tile: samples of any size in bounded memory, the bits `generate` gives.

Every generator is five 3x3 valid convolutions (a receptive field of 11 px),
its batch norms per-channel affine maps at inference, and the upsampling
between scales reads a few taps per output pixel: a tile of scale n depends on
a 5 px halo of its input and on a small window of scale n-1's output. So each
scale is computed tile by tile, its output kept in a file on disk (a few tiles
in memory at a time), and the finest scale goes tile by tile to the output
image. The noise of a tile is the window of the scale's noise map that
`SinGAN.seeded_noise` draws (Philox is counter-based: a window is drawn from
its own counter), the resize adds its taps in a fixed order, and a
convolution's output pixel does not depend on the extent of its input, so
the tiled image equals the whole one to float32 rounding (tested): bit for bit
where the convolution kernels sum in a size-independent order (oneDNN on
AVX-512), within a few ulps where they block their sums by size (Eigen, oneDNN
on AVX2).
"""

import contextlib
import os
import tempfile

import numpy as np
import tensorflow as tf

from singan_tf import resize
from singan_tf.progress import ProgressBar

# Bytes of one output pixel of one feature channel while a generator runs (about five
# feature maps alive at once: measured 2.3-2.8 GiB per megapixel at 128 channels).
BYTES_PER_PIXEL_CHANNEL = 5 * 4


def peak_bytes(model, scale_h=1.0, scale_w=1.0):
    """Memory that sampling the whole output at once needs, as measured (estimate)."""
    widest = max(g.nfc for g in model.generators)
    h, w = model.output_size(scale_h, scale_w)
    return h * w * widest * BYTES_PER_PIXEL_CHANNEL


def tile_edge(model, max_bytes):
    """The largest tile edge (px, halo included in the budget) whose generator fits."""
    widest = max(g.nfc for g in model.generators)
    halo = 2 * model.generators[0].shrink
    edge = int((max_bytes / (widest * BYTES_PER_PIXEL_CHANNEL)) ** 0.5) - halo
    return max(edge, 16)


def noise_window(seed, n, shape, rows, cols):
    """Rows [r0, r1) and columns [c0, c1) of tf.random.stateless_normal(shape, [seed, n]),
    drawn without the rest: [1, r1 - r0, c1 - c0, C]."""
    (r0, r1), (c0, c1) = rows, cols
    _, _, width, channels = shape
    key, counter = tf.raw_ops.StatelessRandomGetKeyCounter(
        seed=tf.constant([seed, n], tf.int64))
    start = r0 * width * channels
    skip = start % 4  # Philox gives 4 values per counter step
    low, high = (int(c) for c in counter.numpy())
    low += start // 4
    counter = tf.constant([low % 2**64, (high + low // 2**64) % 2**64], tf.uint64)
    values = tf.raw_ops.StatelessRandomNormalV2(
        shape=[(r1 - r0) * width * channels + skip], key=key, counter=counter,
        alg=tf.raw_ops.StatelessRandomGetAlg(), dtype=tf.float32)[skip:]
    return tf.reshape(values, [1, r1 - r0, width, channels])[:, :, c0:c1]


class ScaleStore:
    """One scale's output, [H, W, 3] float32, in a file: tiles written, windows read."""

    def __init__(self, folder, n, height, width):
        self.height, self.width = height, width
        self.path = os.path.join(folder, f"scale_{n:02d}.f32")
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        os.ftruncate(self.fd, height * width * 12)

    def write(self, y0, x0, block):
        block = np.ascontiguousarray(block, np.float32)
        for y in range(block.shape[0]):
            os.pwrite(self.fd, block[y].tobytes(), ((y0 + y) * self.width + x0) * 12)

    def read_rows(self, y0, y1):
        data = os.pread(self.fd, (y1 - y0) * self.width * 12, y0 * self.width * 12)
        return np.frombuffer(data, np.float32).reshape(y1 - y0, self.width, 3)

    def close(self):
        os.close(self.fd)
        os.remove(self.path)


class _Array:
    """A whole image held in memory, read as a store (the image injected below the first
    scale, e.g. super-resolution's input)."""

    def __init__(self, image):
        self.image = np.asarray(image, np.float32)
        self.height, self.width = self.image.shape[:2]

    def read_rows(self, y0, y1):
        return self.image[y0:y1]

    def close(self):
        pass


def generate(model, write, seed=0, scale_h=1.0, scale_w=1.0, start_scale=0, below=None,
             tile=512, progress=False, work_dir=None):
    """Runs the pyramid tile by tile; `write(y0, x0, block)` receives the finest output's
    tiles ([h, w, 3] in [-1, 1]) in row-major order.

    As `SinGAN.generate(model.seeded_noise(seed, scale_h, scale_w), start_scale,
    prev=model.upsample(below, ...))`: `below` ([h, w, 3], the output of scale
    start_scale - 1) is what the scales from start_scale up refine; without it,
    scales below start_scale keep the reconstruction (at the training size,
    computed whole). `tile` is the tile edge in pixels of each scale.
    """
    shapes = model.noise_shapes(1, scale_h, scale_w)
    margin = model.noise_padding
    if below is None and start_scale > 0:
        below = model.coarsest(start_scale).reconstruct()[0].numpy()
    lower = _Array(below) if below is not None else None
    counts = [_tile_count(shape[1] - 2 * margin, shape[2] - 2 * margin, tile)
              for shape in shapes[start_scale:]]
    bar = ProgressBar(sum(counts), enabled=progress, unit="tile")
    done = 0
    with tempfile.TemporaryDirectory(dir=work_dir) as folder, _one_trace_per_scale_expected():
        for n in range(start_scale, model.num_scales):
            height, width = shapes[n][1] - 2 * margin, shapes[n][2] - 2 * margin
            finest = n == model.num_scales - 1
            store = None if finest else ScaleStore(folder, n, height, width)
            step = _tile_step(model.generators[n], model.noise_amps[n])
            for y0, y1, x0, x1 in _tiles(height, width, tile):
                block = _tile(model, n, step, seed, shapes[n], lower, (y0, y1), (x0, x1))
                (write if finest else store.write)(y0, x0, block)
                done += 1
                bar.update(done)
            if lower is not None:
                lower.close()
            lower = store


@contextlib.contextmanager
def _one_trace_per_scale_expected():
    """Holds back TensorFlow's warning about frequent retracing: each scale compiles its own
    tile step, which that warning counts as retracing one function."""
    def keep(record):
        return "triggered tf.function retracing" not in record.getMessage()
    logger = tf.get_logger()
    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)


def _tile_count(height, width, tile):
    return -(-height // tile) * -(-width // tile)


def _tiles(height, width, tile):
    for y0 in range(0, height, tile):
        for x0 in range(0, width, tile):
            yield y0, min(y0 + tile, height), x0, min(x0 + tile, width)


def _tile_step(generator, amp):
    """The compiled refinement of one tile (traced for the first tile shape, then once more
    with the sizes left open: edge tiles differ in size)."""
    @tf.function(reduce_retracing=True)
    def step(noise, prev_window, prev):
        return generator.refine(amp * noise + prev_window, prev)
    return step


def _tile(model, n, step, seed, shape, lower, rows, cols):
    """Scale n's output on the tile rows x cols: [y1 - y0, x1 - x0, 3]."""
    generator = model.generators[n]
    halo, margin = generator.shrink, model.noise_padding
    height, width = shape[1] - 2 * margin, shape[2] - 2 * margin
    (y0, y1), (x0, x1) = rows, cols
    # The input window: the tile and its halo, zero outside the image (the generators pad).
    window = (y0 - halo, y1 + halo), (x0 - halo, x1 + halo)
    inside = [(max(a, 0), min(b, size)) for (a, b), size in zip(window, (height, width))]
    if lower is None:
        prev_inside = np.zeros([inside[0][1] - inside[0][0], inside[1][1] - inside[1][0], 3],
                               np.float32)
    else:
        prev_inside = _upsampled(model, lower, height, width, *inside)
    prev_window = _pad_to(prev_inside, window, inside)
    if margin:  # the noise map is larger than the image by the generators' padding
        noise = noise_window(seed, n, shape, (y0 - halo + margin, y1 + halo + margin),
                             (x0 - halo + margin, x1 + halo + margin))[0].numpy()
    else:
        noise = _pad_to(noise_window(seed, n, shape, *inside)[0].numpy(), window, inside)
    prev = prev_window[halo:-halo, halo:-halo]
    return step(noise[None], prev_window[None], prev[None])[0].numpy()


def _upsampled(model, lower, height, width, rows, cols):
    """The lower scale's output upsampled to (height, width), on rows x cols only."""
    scale = 1.0 / model.ratio
    row_sources, row_weights = resize.taps(lower.height, scale, *rows)
    col_sources, col_weights = resize.taps(lower.width, scale, *cols)
    first_row, last_row = int(tf.reduce_min(row_sources)), int(tf.reduce_max(row_sources)) + 1
    first_col, last_col = int(tf.reduce_min(col_sources)), int(tf.reduce_max(col_sources)) + 1
    window = lower.read_rows(first_row, last_row)[None, :, first_col:last_col]
    images = resize.apply_taps(window, row_sources, row_weights, axis=1, first_source=first_row)
    images = resize.apply_taps(images, col_sources, col_weights, axis=2, first_source=first_col)
    return images[0].numpy()


def _pad_to(block, window, inside):
    """`block` (the part of `window` inside the image) zero-padded to the whole window."""
    ((wy0, wy1), (wx0, wx1)), ((iy0, iy1), (ix0, ix1)) = window, inside
    return np.pad(block, [(iy0 - wy0, wy1 - iy1), (ix0 - wx0, wx1 - ix1), (0, 0)])
