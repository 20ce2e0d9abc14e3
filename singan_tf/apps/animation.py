"""Animation: a random walk in noise space around the reconstruction noise, as the reference.

Per scale, with z_rec the reconstruction noise (zeros above the coarsest):
  z_prev1 = 0.95 z_rec + 0.05 z,  z_prev2 = z_rec
  per frame: diff = beta (z_prev1 - z_prev2) + (1 - beta) z_rand
             z = alpha z_rec + (1 - alpha) (z_prev1 + diff)
beta gives the walk momentum (smooth motion), alpha pulls it back to z_rec (the
scene stays the training image's). Frames are a batch through the generation path.
"""

import os

import numpy as np
from PIL import Image
import tensorflow as tf

from singan_tf.errors import ConfigError, ImageError
from singan_tf.io import atomic, images


def check_settings(frames, fps, alpha, beta, start_scale, num_scales):
    """Refuses settings that cannot make an animation, with the reason."""
    checks = [
        (frames >= 2, f"frames={frames} must be at least 2"),
        (fps > 0, f"fps={fps} must be positive"),
        (0 <= alpha <= 1, f"alpha={alpha} must be in 0..1"),
        (0 <= beta <= 1, f"beta={beta} must be in 0..1"),
        (0 <= start_scale < num_scales,
         f"start_scale={start_scale} must be in 0..{num_scales - 1}"),
    ]
    for ok, message in checks:
        if not ok:
            raise ConfigError(message)


def noise_walk(model, frames, alpha=0.1, beta=0.9, seed=0):
    """Per-scale noise for all frames: a list of [frames, h_n, w_n, C] arrays."""
    rng = np.random.default_rng(seed)
    walks = []
    for z_rec in model.reconstruction_noise():
        z_rec = np.asarray(z_rec[0], np.float32)
        z_prev1 = 0.95 * z_rec + 0.05 * rng.standard_normal(z_rec.shape)
        z_prev2 = z_rec
        walk = []
        for _ in range(frames):
            diff = beta * (z_prev1 - z_prev2) + (1 - beta) * rng.standard_normal(z_rec.shape)
            z = alpha * z_rec + (1 - alpha) * (z_prev1 + diff)
            z_prev2, z_prev1 = z_prev1, z
            walk.append(z)
        walks.append(np.stack(walk).astype(np.float32))
    return walks


def animate(model, frames=100, alpha=0.1, beta=0.9, start_scale=0, seed=0, batch=8):
    """The frames, [frames, H, W, 3] in [-1, 1]; below `start_scale` the reconstruction is kept.

    Frames go through the generator `batch` at a time to bound memory.
    """
    noise = noise_walk(model, frames, alpha, beta, seed)
    return np.concatenate([
        model.generate([tf.constant(z[i:i + batch]) for z in noise], start_scale).numpy()
        for i in range(0, frames, batch)])


def check_gif_path(path):
    """Refuses, before any work, an output that is not a writable .gif file."""
    if os.path.splitext(path)[1].lower() != ".gif":
        raise ImageError(f"an animation is written as a GIF: {path} needs the extension .gif")
    atomic.check_writable(path)


def save_gif(frames, path, fps):
    """Writes [frames, H, W, 3] frames as a looping GIF (Pillow quantises each frame)."""
    pictures = [Image.fromarray(frame) for frame in images.to_uint8(frames)]
    with atomic.replacing(path) as tmp:
        pictures[0].save(tmp, format="GIF", save_all=True, append_images=pictures[1:],
                         duration=round(1000 / fps), loop=0)


def save_frames(frames, directory):
    """Writes frame_000.png, frame_001.png, ... into `directory`."""
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as e:
        raise atomic.write_error(directory, e) from e
    for i, frame in enumerate(frames):
        images.save_image(frame, os.path.join(directory, f"frame_{i:03d}.png"))
