"""TEST DOUBLES of TF Serving, for the clients' tests and the load benchmark: not servers.

The real TF Serving server cannot be installed here. These stand-ins run the
exported SavedModel with tf.saved_model.load and answer on 127.0.0.1 only:

  FakeTFServing      TF Serving's REST predict protocol (POST
                     /v1/models/NAME[/versions/N]:predict with columnar
                     "inputs"; "outputs" unwrapped for a single output;
                     {"error": ...} with status 400)
  FakeTFServingGrpc  its gRPC PredictionService.Predict (tensorflow-serving-api)

With `batching` (TF Serving's batching parameters) every signature call goes
through TensorFlow's own batching op (tf.nondifferentiable_batch_function,
the BatchFunction op TF Serving's in-graph batching uses), so concurrent
requests are merged as a batching server merges them. They test the clients,
the request formats and batching of the SavedModel path, not TF Serving
itself; the signatures and TF's C++ loader are tested for real in
deploy/test_serving.py.
"""

import concurrent.futures
import http.server
import json
import threading

import numpy as np


class ServedModel:
    """The signatures of one loaded SavedModel, called directly or through a batcher."""

    def __init__(self, saved_model_path, batching=None):
        import tensorflow as tf
        self.loaded_path = saved_model_path
        self.loaded = tf.saved_model.load(saved_model_path)
        self.batch_sizes = []  # the size of every batch run (with batching)
        self.calls = {}
        for name, function in self.loaded.signatures.items():
            specs = function.structured_input_signature[1]
            self.calls[name] = (specs, self._batched(name, function, specs, batching)
                                if batching else None)

    def _batched(self, signature, function, specs, batching):
        """The signature behind one BatchFunction op of its own (its name scope keeps the
        signatures' batchers apart), compiled once."""
        import tensorflow as tf
        names = sorted(specs)

        def record(size):
            self.batch_sizes.append(int(size))
            return size

        @tf.nondifferentiable_batch_function(**batching)
        def merged(*inputs):
            size = tf.py_function(record, [tf.shape(inputs[0])[0]], tf.int32)
            with tf.control_dependencies([size]):
                return tf.identity(function(**dict(zip(names, inputs)))["images"])

        @tf.function(input_signature=[specs[name] for name in names])
        def run(*inputs):
            with tf.name_scope(signature):
                return merged(*inputs)

        return lambda inputs: {"images": run(*[inputs[name] for name in names])}

    def predict(self, signature, inputs):
        """{output name: numpy array} for {input name: value}."""
        import tensorflow as tf
        specs, batched = self.calls[signature]
        tensors = {k: tf.constant(v, specs[k].dtype) for k, v in inputs.items()}
        function = batched or (lambda t: self.loaded.signatures[signature](**t))
        return {k: v.numpy() for k, v in function(tensors).items()}


class FakeTFServing(http.server.ThreadingHTTPServer):
    """Test double: TF Serving's REST predict API over one ServedModel."""

    daemon_threads = True

    def __init__(self, name, saved_model_path, batching=None):
        self.name = name
        self.model = ServedModel(saved_model_path, batching)
        self.loaded = self.model.loaded
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/v1/models/{self.name}"

    def predict(self, request):
        outputs = self.model.predict(request.get("signature_name", "serving_default"),
                                     request["inputs"])
        outputs = {k: v.tolist() for k, v in outputs.items()}
        return {"outputs": next(iter(outputs.values())) if len(outputs) == 1 else outputs}


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        import tensorflow as tf
        prefix = f"/v1/models/{self.server.name}"
        if not (self.path.startswith(prefix) and self.path.endswith(":predict")):
            return self._reply(404, {"error": f"Servable not found for request: {self.path}"})
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        try:
            self._reply(200, self.server.predict(request))
        except (tf.errors.InvalidArgumentError, KeyError, ValueError, TypeError) as e:
            self._reply(400, {"error": getattr(e, "message", str(e))})

    def _reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def serving(saved_model_path, name="tiny", batching=None):
    """Starts a FakeTFServing on a free port in a thread; returns it (call .shutdown())."""
    fake = FakeTFServing(name, saved_model_path, batching)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    return fake


class FakeTFServingGrpc:
    """Test double: TF Serving's gRPC PredictionService over one ServedModel."""

    def __init__(self, name, saved_model_path, batching=None, workers=16):
        import grpc
        from tensorflow_serving.apis import prediction_service_pb2_grpc
        self.name = name
        self.model = ServedModel(saved_model_path, batching)
        self.server = grpc.server(concurrent.futures.ThreadPoolExecutor(max_workers=workers))
        prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(
            _prediction_service(self), self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    @property
    def url(self):
        return f"{self.address}/v1/models/{self.name}"

    def shutdown(self):
        self.server.stop(grace=None)


def _prediction_service(fake):
    """PredictionService.Predict over `fake`'s model (the other methods: unimplemented)."""
    from tensorflow_serving.apis import prediction_service_pb2_grpc

    class PredictionService(prediction_service_pb2_grpc.PredictionServiceServicer):

        def __init__(self, fake):
            self.fake = fake

        def Predict(self, request, context):
            import grpc
            import tensorflow as tf
            from tensorflow_serving.apis import predict_pb2
            if request.model_spec.name != self.fake.name:
                context.abort(grpc.StatusCode.NOT_FOUND,
                              f"Servable not found for request: {request.model_spec.name}")
            inputs = {k: tf.make_ndarray(v) for k, v in request.inputs.items()}
            try:
                outputs = self.fake.model.predict(request.model_spec.signature_name
                                                  or "serving_default", inputs)
            except (tf.errors.InvalidArgumentError, KeyError, ValueError, TypeError) as e:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, getattr(e, "message", str(e)))
            response = predict_pb2.PredictResponse()
            for k, v in outputs.items():
                response.outputs[k].CopyFrom(tf.make_tensor_proto(np.asarray(v)))
            return response

    return PredictionService(fake)


def serving_grpc(saved_model_path, name="tiny", batching=None):
    """Starts a FakeTFServingGrpc on a free port; returns it (call .shutdown())."""
    return FakeTFServingGrpc(name, saved_model_path, batching)
