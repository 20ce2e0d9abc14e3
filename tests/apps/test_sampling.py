"""Random samples: any size and aspect ratio, start scales, the checks made before any work."""

import os

import numpy as np
from PIL import Image
import pytest

from singan_tf import tiled
from singan_tf.apps import sampling
from singan_tf.errors import ConfigError, WriteError
from singan_tf.io import images


@pytest.mark.parametrize("scale_h, scale_w", [(0.5, 0.5), (1.0, 4.0), (4.0, 4.0), (2.0, 0.5)])
def test_any_size_is_new_texture_at_the_models_own_scale(trained_model, scale_h, scale_w):
    """Not a stretched 1x1 sample: the contrast of the model's 1x1 samples, and new content
    (not a repeat) across a sample four times as wide."""
    sample = sampling.sampler(trained_model, 0, scale_h, scale_w)
    image = sample(0)
    assert image.shape == (round(32 * scale_h), round(32 * scale_w), 3)
    plain = sampling.sampler(trained_model)
    contrast = np.mean([plain(seed).std(axis=(0, 1)) for seed in range(4)], axis=0)
    scaled = np.mean([sample(seed).std(axis=(0, 1)) for seed in range(4)], axis=0)
    assert np.all(0.5 * contrast < scaled)
    assert np.all(scaled < 2 * contrast)
    if scale_w == 4.0:
        assert np.abs(image[:, :32] - image[:, 32:64]).mean() > 0.05


def test_requests_that_cannot_work_are_refused_before_any_work(trained_model, tmp_path):
    for args, message in [((4, 1.0, 1.0), "start_scale=4 must be in 0..3"),
                          ((-1, 1.0, 1.0), "start_scale=-1"),
                          ((1, 2.0, 1.0), "start_scale > 0 keeps the reconstruction"),
                          ((0, 0.01, 1.0), "no pixel"),
                          ((0, -1.0, 1.0), "must be positive")]:
        with pytest.raises(ConfigError, match=message):
            sampling.write_samples(trained_model, str(tmp_path / "out"), 1, 0, *args)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("gain", [0.0, 3.0])
def test_a_noise_gain_strengthens_the_start_scales_noise_alone(trained_model, gain):
    """The pyramid with gain g at scale k is the pyramid run on noise whose scale-k map is
    g times as strong: no other scale's noise changes, and the model itself is untouched."""
    amps = list(trained_model.noise_amps)
    noise = trained_model.seeded_noise(3)
    gained = sampling.with_noise_gain(trained_model, 1, gain)
    want = trained_model.generate([z * gain if n == 1 else z for n, z in enumerate(noise)], 1)
    np.testing.assert_allclose(gained.generate(noise, 1), want, atol=1e-6)
    assert np.abs(gained.generate(noise, 1) - trained_model.generate(noise, 1)).mean() > 1e-3
    assert trained_model.noise_amps == amps
    assert sampling.with_noise_gain(trained_model, 1, 1.0) is trained_model


def test_a_negative_noise_gain_is_refused(trained_model, tmp_path):
    with pytest.raises(ConfigError, match="noise_gain=-1.0 must be at least 0"):
        sampling.write_samples(trained_model, str(tmp_path), 1, start_scale=1, noise_gain=-1.0)
    assert os.listdir(tmp_path) == []


def test_a_batch_is_the_lone_samples_within_one_level(trained_model):
    lone = sampling.sampler(trained_model)
    batch = sampling.batch_sampler(trained_model)([3, 4, 5])
    assert batch.shape == (3, 32, 32, 3)
    for sample, seed in zip(batch, [3, 4, 5]):
        diff = np.abs(images.to_uint8(sample).astype(int) - images.to_uint8(lone(seed)))
        assert diff.max() <= 1
    assert np.abs(batch[0] - batch[1]).mean() > 0.05


def test_batches_are_written_as_numbered_samples(trained_model, tmp_path):
    sampling.write_samples(trained_model, str(tmp_path), 5, seed=7, batch_size=2)
    assert sorted(os.listdir(tmp_path)) == [f"sample_{i:03d}.png" for i in range(5)]
    lone = sampling.sampler(trained_model)
    for i in range(5):
        written = np.asarray(Image.open(tmp_path / f"sample_{i:03d}.png"), int)
        assert np.abs(written - images.to_uint8(lone(7 + i))).max() <= 1


def test_a_batch_is_as_large_as_memory_allows(trained_model):
    """None: even one sample is made in tiles."""
    each = tiled.peak_bytes(trained_model)
    assert sampling.fitting_batch(trained_model, 8, max_memory=3 * each) == 3
    assert sampling.fitting_batch(trained_model, 2, max_memory=3 * each) == 2
    assert sampling.fitting_batch(trained_model, 8, max_memory=each) == 1
    assert sampling.fitting_batch(trained_model, 8, max_memory=each // 2) is None
    assert sampling.fitting_batch(trained_model, 8, tile=16) is None
    assert sampling.fitting_batch(trained_model, 8, max_png_pixels=32 * 32 - 1) is None


def test_a_failed_write_in_the_background_stops_the_run(trained_model, tmp_path):
    (tmp_path / "sample_001.png").mkdir()  # a folder where a sample goes: it cannot be written
    with pytest.raises(WriteError, match="sample_001.png"):
        sampling.write_samples(trained_model, str(tmp_path), 6, batch_size=2)
    assert not (tmp_path / "sample_004.png").exists()
