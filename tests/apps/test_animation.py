"""Animation: a smooth, seeded walk around the reconstruction, written as a looping GIF."""

import os

import numpy as np
import pytest
from PIL import Image

from singan_tf.apps import animation
from singan_tf.errors import ConfigError, ImageError


def test_walk_shapes_and_seed(trained_model):
    walk = animation.noise_walk(trained_model, frames=5, seed=1)
    assert [w.shape for w in walk] == [(5, *s[1:]) for s in trained_model.noise_shapes()]
    np.testing.assert_array_equal(walk[2], animation.noise_walk(trained_model, 5, seed=1)[2])


def test_consecutive_frames_are_closer_than_random_samples(trained_model):
    frames = animation.animate(trained_model, frames=12, seed=0, batch=5)
    assert frames.shape == (12, 32, 32, 3)
    step = np.abs(np.diff(frames, axis=0)).mean()
    samples = [trained_model.generate(trained_model.seeded_noise(s))[0].numpy() for s in range(4)]
    apart = np.mean([np.abs(a - b).mean() for a in samples for b in samples if a is not b])
    assert step < 0.5 * apart


def test_start_scale_keeps_the_coarse_scales_still(trained_model):
    moving = np.abs(np.diff(animation.animate(trained_model, 6, start_scale=0), axis=0)).mean()
    still = np.abs(np.diff(animation.animate(trained_model, 6, start_scale=3), axis=0)).mean()
    assert still < moving


@pytest.mark.parametrize("settings, message", [
    ((1, 10, 0.1, 0.9, 0), "frames=1 must be at least 2"),
    ((10, 0, 0.1, 0.9, 0), "fps=0 must be positive"),
    ((10, 10, 1.5, 0.9, 0), "alpha=1.5 must be in 0..1"),
    ((10, 10, 0.1, 0.9, 4), "start_scale=4 must be in 0..3"),
])
def test_bad_settings_are_refused(settings, message):
    with pytest.raises(ConfigError, match=message):
        animation.check_settings(*settings, num_scales=4)


def test_gif_loops_forever_at_the_frame_rate_and_only_gif_is_written(tmp_path):
    frames = np.stack([np.full((8, 8, 3), v, np.float32) for v in (-1.0, 0.0, 1.0)])
    animation.save_gif(frames, str(tmp_path / "a.gif"), fps=5)
    gif = Image.open(tmp_path / "a.gif")
    assert gif.n_frames == 3 and gif.info["loop"] == 0 and gif.info["duration"] == 200
    with pytest.raises(ImageError, match="needs the extension .gif"):
        animation.check_gif_path(str(tmp_path / "a.xyz"))
    assert sorted(os.listdir(tmp_path)) == ["a.gif"]
