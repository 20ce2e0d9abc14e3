"""SIFID: the Frechet distance's closed forms, and InceptionV3 features from the user's weights."""

import keras
import numpy as np
import pytest

from conftest import discs, make_fakes
from singan_tf.errors import ConfigError
from singan_tf.metrics import sifid as metrics


@pytest.fixture(scope="module")
def real():
    return discs()


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

    model = metrics.load_inception(path, layer=64)
    np.testing.assert_array_equal(model.layers[1].get_weights()[0],
                                  inception.layers[1].get_weights()[0])
    image = real[:80, :100]
    # Two valid 3x3 convolutions (the first with stride 2), then a padded one.
    assert metrics.inception_features(model, image).shape == (37 * 47, 64)
    fakes = make_fakes(real)
    assert metrics.sifid(model, real, real) == pytest.approx(0.0, abs=1e-9)
    assert metrics.sifid(model, real, fakes["crop_a"]) < min(
        metrics.sifid(model, real, fakes["blur"]), metrics.sifid(model, real, fakes["noise"]))
    model = metrics.load_inception(path, layer=192)
    assert metrics.inception_features(model, image).shape[1] == 192

    with pytest.raises(ConfigError, match="inception weights not found"):
        metrics.load_inception(str(tmp_path / "missing.h5"))
    (tmp_path / "bad.h5").write_text("not weights")
    with pytest.raises(ConfigError, match="cannot load InceptionV3 weights"):
        metrics.load_inception(str(tmp_path / "bad.h5"))
    with pytest.raises(ConfigError, match="sifid layer must be one of"):
        metrics.load_inception(path, layer=100)
