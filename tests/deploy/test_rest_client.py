"""The REST client against the TF Serving test double (singan_tf/deploy/serving_double.py)."""

import numpy as np
import pytest
import tensorflow as tf

from singan_tf.deploy import rest_client
from singan_tf.errors import ServingError
from singan_tf.io import images


def test_requests_per_signature_give_one_value_per_image():
    assert rest_client.request_inputs("serving_default", 5, 2) == {"seed": [5, 6]}
    assert rest_client.request_inputs("sample", 5, 2, 1.0, 2.0, 1) == {
        "seed": [5, 6], "scale_h": [1.0, 1.0], "scale_w": [2.0, 2.0], "start_scale": [1, 1]}
    image = np.zeros([2, 3, 3], np.uint8)
    assert rest_client.request_inputs("inject", 3, image=image, start_scale=2) == {
        "image": [image.tolist()], "start_scale": [2], "seed": [3]}
    assert rest_client.request_inputs("reconstruct", 4) == {"seed": [4]}


def test_predict_returns_the_signatures_images(served, trained_model):
    got = rest_client.predict(served.url, "sample",
                              rest_client.request_inputs("sample", 5, 2, 1.0, 1.5, 0))
    want = served.loaded.signatures["sample"](
        seed=tf.constant([5, 6], tf.int64), scale_h=tf.constant([1.0, 1.0]),
        scale_w=tf.constant([1.5, 1.5]), start_scale=tf.constant([0, 0]))["images"].numpy()
    assert got.dtype == np.uint8 and got.shape == want.shape == (2, 32, 48, 3)
    np.testing.assert_array_equal(got, want)
    rec = rest_client.predict(served.url, "reconstruct", {"seed": [0]})
    np.testing.assert_array_equal(rec, images.to_uint8(trained_model.reconstruct()))


def test_refusals_and_unreachable_servers_are_serving_errors(served):
    with pytest.raises(ServingError, match=r"refused the request \(400\).*start_scale must be"):
        rest_client.predict(served.url, "sample", rest_client.request_inputs("sample", 0, 1,
                                                                             start_scale=7))
    with pytest.raises(ServingError, match=r"\(404\)"):
        rest_client.predict(served.url.replace("/tiny", "/other"), "serving_default", {"seed": [1]})
    with pytest.raises(ServingError, match="cannot reach"):
        rest_client.predict("http://127.0.0.1:9/v1/models/x", "serving_default", {"seed": [1]},
                            timeout=5)
