"""The NumPy port of tf.random.stateless_normal agrees with TensorFlow's own draws."""

import numpy as np
import pytest

from singan_tf.deploy import philox


@pytest.mark.parametrize("shape, seed", [
    ((1, 21, 21, 1), (5, 0)), ((1, 32, 32, 3), (123456789, 3)), ((7,), (0, 1)),
    ((2, 3, 5), (-4, 2)), ((1,), (2**62, 9))])
def test_matches_tensorflow(shape, seed):
    import tensorflow as tf
    want = tf.random.stateless_normal(shape, seed=tf.constant(seed, tf.int64)).numpy()
    got = philox.stateless_normal(shape, seed)
    assert got.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)


def test_matches_seeded_noise(trained_model):
    for n, z in enumerate(trained_model.seeded_noise(11)):
        np.testing.assert_allclose(philox.stateless_normal(z.shape, (11, n)), z.numpy(), atol=1e-5)
