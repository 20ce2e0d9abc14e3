"""A client of TF Serving's gRPC PredictionService for the exported signatures.

Needs tensorflow-serving-api (its protocol buffers import TensorFlow's); it
depends on the full `tensorflow` package, so install it with
`pip install --no-deps tensorflow-serving-api` beside tensorflow-cpu.
"""

import numpy as np

from singan_tf.errors import ConfigError, ServingError

# The dtype of each input of the exported signatures.
DTYPES = {"seed": np.int64, "scale_h": np.float32, "scale_w": np.float32,
          "start_scale": np.int32, "image": np.uint8}


def predict(address, model_name, signature, inputs, version=None, timeout=300.0):
    """Calls Predict on HOST:PORT `address`; returns the images as uint8 [B, H, W, 3]."""
    with Client(address) as client:
        return client.predict(model_name, signature, inputs, version, timeout)


class Client:
    """One channel to a server, for many requests (a channel costs a connection)."""

    def __init__(self, address):
        try:  # imported late: the REST client works without them
            import grpc
            from tensorflow_serving.apis import prediction_service_pb2_grpc
        except ImportError as e:
            raise ConfigError("--protocol=grpc needs tensorflow-serving-api: "
                              "pip install --no-deps tensorflow-serving-api") from e
        self.address = address
        self._channel = grpc.insecure_channel(address)
        self._stub = prediction_service_pb2_grpc.PredictionServiceStub(self._channel)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._channel.close()

    def predict(self, model_name, signature, inputs, version=None, timeout=300.0):
        """Predict of `signature` on `inputs` ({name: values}); uint8 [B, H, W, 3]."""
        import grpc
        import tensorflow as tf
        from tensorflow_serving.apis import predict_pb2
        request = predict_pb2.PredictRequest()
        request.model_spec.name = model_name
        request.model_spec.signature_name = signature
        if version is not None:
            request.model_spec.version.value = int(version)
        for name, value in inputs.items():
            request.inputs[name].CopyFrom(tf.make_tensor_proto(np.asarray(value, DTYPES[name])))
        try:
            response = self._stub.Predict(request, timeout=timeout)
        except grpc.RpcError as e:
            if e.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise ServingError(f"cannot reach {self.address}: {e.code().name}") from e
            raise ServingError(f"server refused the request ({e.code().name}): "
                               f"{' '.join((e.details() or '').split())[:500]}") from e
        return tf.make_ndarray(response.outputs["images"]).astype(np.uint8)
