"""Random samples: any size and aspect ratio, start scales, the checks made before any work."""

import numpy as np
import pytest

from singan_tf.apps import sampling
from singan_tf.errors import ConfigError


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
