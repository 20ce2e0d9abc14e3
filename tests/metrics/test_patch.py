"""The metrics rank fakes of a texture the way a person would, and their math is exact.

The real image is a 188x250 texture of shaded discs made here. Its fakes:
crops and a flipped crop (what a perfect generator could draw), a strong blur
(fine detail gone, layout kept), noise (fine detail wrong, layout kept) and a
shuffle of 16 px tiles (small patches kept, layout destroyed).
"""

import numpy as np
import pytest

from conftest import discs, make_fakes
from singan_tf.errors import ImageError
from singan_tf.metrics import patch as metrics

GOOD = ("crop_a", "crop_b", "flip")
CROPS = ("crop_a", "crop_b")


@pytest.fixture(scope="module")
def real():
    return discs()


@pytest.fixture(scope="module")
def scores(real):
    """name -> (SWD, NN fake->real, NN real->fake), each per level, finest first."""
    fakes = make_fakes(real)
    levels = metrics.num_levels(real.shape, *[f.shape for f in fakes.values()])
    assert levels == 4
    return {name: (metrics.swd(real, fake, levels), *metrics.patch_nn(real, fake, levels))
            for name, fake in fakes.items()}


def test_swd_ranks_crops_and_flips_best(scores):
    swd = {name: s[0].mean() for name, s in scores.items()}
    assert 2 * max(swd[n] for n in GOOD) < min(swd["blur"], swd["noise"], swd["shuffle"]), swd


def test_swd_levels_say_what_changed(scores):
    swd = {name: s[0] for name, s in scores.items()}
    good = np.max([swd[n] for n in GOOD], axis=0)
    # Fine detail: blur removes it, noise replaces it.
    assert swd["blur"][0] > 5 * good[0] and swd["noise"][0] > 5 * good[0], swd
    # Coarse structure (7 taps 4 px apart): the tile shuffle breaks it.
    assert swd["shuffle"][2] > 3 * good[2], swd
    # The coarsest level is the colour layout: blur and noise keep all of it, a crop only part.
    assert max(swd["blur"][-1], swd["noise"][-1]) < min(swd[n][-1] for n in GOOD), swd


def test_nn_finds_copied_regions_at_every_level(scores):
    for name in CROPS:
        assert np.all(scores[name][1] < 0.01), (name, scores[name][1])


def test_nn_fake_to_real_tells_fine_from_coarse_damage(scores):
    f2r = {name: s[1] for name, s in scores.items()}
    # Finest level: noise is the least plausible detail; blur is worse than crops.
    assert all(f2r["noise"][0] > 2 * f2r[n][0] for n in f2r if n != "noise"), f2r
    assert f2r["blur"][0] > 5 * max(f2r[n][0] for n in CROPS), f2r
    # Coarse levels: shuffled tiles make implausible structure; blur and noise do not.
    for level in (2, 3):
        assert f2r["shuffle"][level] > 3 * max(f2r["blur"][level], f2r["noise"][level]), f2r


def test_nn_real_to_fake_measures_coverage(scores):
    r2f = {name: s[2] for name, s in scores.items()}
    # Every small patch of the real survives the shuffle, not the blur or the noise.
    assert r2f["shuffle"][0] < min(r2f["blur"][0], r2f["noise"][0]), r2f
    assert r2f["blur"][0] > max(r2f[n][0] for n in CROPS), r2f
    # Its coarse structure survives only in the crops (partly) and not in the shuffle.
    for level in (2, 3):
        assert r2f["shuffle"][level] > 1.5 * max(r2f[n][level] for n in CROPS), r2f


def test_diversity(real):
    rng = np.random.default_rng(2)
    copies = [real] * 4
    noisy = [np.clip(real + 0.05 * rng.standard_normal(real.shape), -1, 1) for _ in range(4)]
    crops = [real[y:y + 120, x:x + 160] for y, x in [(0, 0), (60, 80), (30, 10), (65, 5)]]
    assert metrics.diversity(real, copies) == 0.0
    assert 0.0 < metrics.diversity(real, noisy) < 0.2 < 0.6 < metrics.diversity(real, crops)
    assert metrics.diversity(real, [real, real[:100]]) is None  # sizes differ
    assert metrics.diversity(real, [real]) is None


def test_levels_and_bands(real):
    assert metrics.num_levels((20, 40)) == 1
    assert metrics.num_levels((188, 250), (150, 200)) == 4
    with pytest.raises(ImageError, match="too small"):
        metrics.num_levels((188, 250), (6, 50))
    bands = metrics.laplacian_stack(real, 4)
    np.testing.assert_allclose(np.sum(bands, axis=0), real, atol=1e-5)
