"""A TEST DOUBLE of TF Serving, for the clients' tests.

The real TF Serving server cannot be installed here. `FakeTFServing` is a
stand-in: a local HTTP server on 127.0.0.1 that answers TF Serving's REST
predict protocol (POST /v1/models/NAME[/versions/N]:predict with columnar
"inputs"; "outputs" unwrapped for a single output; {"error": ...} with status
400) by running the exported SavedModel with tf.saved_model.load. It tests the
clients and the request/response format, not TF Serving itself; the
signatures and TF's C++ loader are tested for real in deploy/test_serving.py.
"""

import http.server
import json
import threading


class FakeTFServing(http.server.ThreadingHTTPServer):
    """Test double: TF Serving's REST predict API over one loaded SavedModel."""

    def __init__(self, name, saved_model_path):
        import tensorflow as tf
        self.name = name
        self.loaded = tf.saved_model.load(saved_model_path)
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/v1/models/{self.name}"

    def predict(self, request):
        import tensorflow as tf
        function = self.loaded.signatures[request.get("signature_name", "serving_default")]
        specs = function.structured_input_signature[1]
        inputs = {k: tf.constant(v, specs[k].dtype) for k, v in request["inputs"].items()}
        outputs = function(**inputs)
        outputs = {k: v.numpy().tolist() for k, v in outputs.items()}
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


def serving(saved_model_path, name="tiny"):
    """Starts a FakeTFServing on a free port in a thread; returns it (call .shutdown())."""
    fake = FakeTFServing(name, saved_model_path)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    return fake
