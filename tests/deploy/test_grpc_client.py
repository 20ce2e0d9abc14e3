"""The gRPC client against the PredictionService test double (singan_tf/deploy/serving_double.py)."""

import numpy as np
import pytest

from singan_tf.deploy import grpc_client, rest_client
from singan_tf.errors import ServingError


def test_predict_returns_what_the_signature_returns(served, served_grpc):
    address = served_grpc.address
    for signature, inputs in [("serving_default", {"seed": [3, 4]}),
                              ("sample", rest_client.request_inputs("sample", 3, 2, 1.0, 2.0)),
                              ("reconstruct", {"seed": [0]})]:
        got = grpc_client.predict(address, "tiny", signature, inputs)
        want = served.model.predict(signature, inputs)["images"]
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)


def test_refusals_are_serving_errors_with_the_servers_message(served_grpc):
    address = served_grpc.address
    with pytest.raises(ServingError, match=r"INVALID_ARGUMENT.*start_scale must be in 0..3"):
        grpc_client.predict(address, "tiny", "sample",
                            rest_client.request_inputs("sample", 0, start_scale=9))
    with pytest.raises(ServingError, match="NOT_FOUND"):
        grpc_client.predict(address, "other", "serving_default", {"seed": [1]})
