"""The metrics rank fakes of a texture the way a person would, and their math is exact.

The real image is a 188x250 texture of shaded discs made here. Its fakes:
crops and a flipped crop (what a perfect generator could draw), a strong blur
(fine detail gone, layout kept), noise (fine detail wrong, layout kept) and a
shuffle of 16 px tiles (small patches kept, layout destroyed).
"""

import keras
import numpy as np
import pytest
from PIL import Image, ImageFilter

from singan_tf import metrics
from singan_tf.errors import ConfigError, ImageError

GOOD = ("crop_a", "crop_b", "flip")
CROPS = ("crop_a", "crop_b")


def discs(height=188, width=250, count=70, seed=0):
    """Shaded discs of random colours and sizes on a grainy grey ground."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    image = np.full((height, width, 3), -0.3, np.float32)
    for _ in range(count):
        cy, cx, radius = rng.uniform(0, height), rng.uniform(0, width), rng.uniform(6, 22)
        r = np.hypot(yy - cy, xx - cx) / radius
        shade = 0.55 + 0.45 * np.sqrt(np.clip(1 - r ** 2, 0, 1))
        image = np.where((r < 1)[..., None], rng.uniform(-0.8, 0.8, 3) * shade[..., None], image)
    image += 0.015 * rng.standard_normal(image.shape)
    return np.clip(image, -1, 1).astype(np.float32)


def shuffle_tiles(image, tile, seed=0):
    h, w = image.shape[0] // tile, image.shape[1] // tile
    tiles = image[:h * tile, :w * tile].reshape(h, tile, w, tile, 3).swapaxes(1, 2)
    tiles = tiles.reshape(h * w, tile, tile, 3)[np.random.default_rng(seed).permutation(h * w)]
    return tiles.reshape(h, w, tile, tile, 3).swapaxes(1, 2).reshape(h * tile, w * tile, 3)


def gaussian_blur(image, radius):
    pixels = Image.fromarray(np.round((image + 1) * 127.5).astype(np.uint8))
    return np.asarray(pixels.filter(ImageFilter.GaussianBlur(radius)), np.float32) / 127.5 - 1


def make_fakes(real):
    noise = np.random.default_rng(1).standard_normal(real.shape).astype(np.float32)
    return {
        "crop_a": real[10:160, 30:230],
        "crop_b": real[35:185, 3:203],
        "flip": real[20:170, 45:245, :][:, ::-1],
        "blur": gaussian_blur(real, 3),
        "noise": np.clip(real + 0.25 * noise, -1, 1),
        "shuffle": shuffle_tiles(real, 16),
    }


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


def test_frechet_distance_closed_forms():
    rng = np.random.default_rng(3)
    rotation, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    var_a, var_b = rng.uniform(0.1, 2.0, 5), rng.uniform(0.1, 2.0, 5)
    mean_a, mean_b = rng.standard_normal(5), rng.standard_normal(5)
    # Covariances with shared eigenvectors: Tr(...) = sum (sqrt(a) - sqrt(b))^2.
    expected = np.sum((mean_a - mean_b) ** 2) + np.sum((np.sqrt(var_a) - np.sqrt(var_b)) ** 2)
    got = metrics.gaussian_frechet_distance(mean_a, rotation @ np.diag(var_a) @ rotation.T,
                                            mean_b, rotation @ np.diag(var_b) @ rotation.T)
    assert got == pytest.approx(expected, rel=1e-9)

    features = rng.standard_normal((400, 6)) @ rng.standard_normal((6, 6))
    shift = rng.standard_normal(6)
    assert metrics.frechet_distance(features, features) == pytest.approx(0.0, abs=1e-9)
    assert metrics.frechet_distance(features, features + shift) == pytest.approx(shift @ shift)
    # Doubling the spread about the mean: C + 4C - 2 * 2C = C.
    doubled = 2 * features - features.mean(axis=0)
    assert metrics.frechet_distance(features, doubled) == pytest.approx(
        np.trace(np.cov(features, rowvar=False)))


def test_sifid_reads_the_users_weights(tmp_path, real):
    keras.utils.set_random_seed(0)
    inception = keras.applications.InceptionV3(weights=None, include_top=False)
    path = str(tmp_path / "inception.weights.h5")
    inception.save_weights(path)

    model = metrics.sifid_model(path, layer=64)
    np.testing.assert_array_equal(model.layers[1].get_weights()[0],
                                  inception.layers[1].get_weights()[0])
    image = real[:80, :100]
    # Two valid 3x3 convolutions (the first with stride 2), then a padded one.
    assert metrics.inception_features(model, image).shape == (37 * 47, 64)
    fakes = make_fakes(real)
    assert metrics.sifid(model, real, real) == pytest.approx(0.0, abs=1e-9)
    assert metrics.sifid(model, real, fakes["crop_a"]) < min(
        metrics.sifid(model, real, fakes["blur"]), metrics.sifid(model, real, fakes["noise"]))
    model = metrics.sifid_model(path, layer=192)
    assert metrics.inception_features(model, image).shape[1] == 192

    with pytest.raises(ConfigError, match="inception weights not found"):
        metrics.sifid_model(str(tmp_path / "missing.h5"))
    (tmp_path / "bad.h5").write_text("not weights")
    with pytest.raises(ConfigError, match="cannot load InceptionV3 weights"):
        metrics.sifid_model(str(tmp_path / "bad.h5"))
    with pytest.raises(ConfigError, match="sifid layer must be one of"):
        metrics.sifid_model(path, layer=100)


def test_psnr_ssim(real):
    image = real * 0.5
    psnr, ssim = metrics.psnr_ssim(image, image + 0.1)  # MSE 0.01 on a peak-to-peak of 2
    assert psnr == pytest.approx(10 * np.log10(4 / 0.01), abs=1e-3)
    assert metrics.psnr_ssim(image, image)[1] == pytest.approx(1.0)
    noisy = image + 0.2 * np.random.default_rng(4).standard_normal(image.shape)
    assert metrics.psnr_ssim(image, noisy)[1] < 0.9
    with pytest.raises(ImageError, match="different sizes: 188x250 and 100x250"):
        metrics.psnr_ssim(image, image[:100])


def test_levels_and_bands(real):
    assert metrics.num_levels((20, 40)) == 1
    assert metrics.num_levels((188, 250), (150, 200)) == 4
    with pytest.raises(ImageError, match="too small"):
        metrics.num_levels((188, 250), (6, 50))
    bands = metrics.laplacian_stack(real, 4)
    np.testing.assert_allclose(np.sum(bands, axis=0), real, atol=1e-5)


def test_evaluate_samples_summarises_per_fake_rows(real):
    small = real[:100, :130]
    fakes = [small[:80, :100], small[10:100, 20:130]]
    results = metrics.evaluate_samples(small, fakes, reference=small[:80, :100])
    assert results["levels"] == 3 and results["num_fakes"] == 2
    for name in ("swd", "nn_fake_to_real", "nn_real_to_fake"):
        assert results[name] == pytest.approx(np.mean([r[name] for r in results["per_fake"]]))
        assert len(results[f"{name}_per_level"]) == 3
    assert results["diversity"] is None  # the fakes differ in size
    assert results["psnr"] == float("inf") and results["ssim"] == pytest.approx(1.0)
    assert "psnr" in results["per_fake"][0] and "psnr" not in results["per_fake"][1]
