"""The REST client against a TEST DOUBLE of TF Serving.

The real TF Serving server cannot be installed here. `FakeTFServing` below is a
stand-in: a local HTTP server that answers TF Serving's REST predict protocol
(POST /v1/models/NAME[/versions/N]:predict with columnar "inputs"; "outputs"
unwrapped for a single output; {"error": ...} with status 400) by running the
exported SavedModel with tf.saved_model.load. It tests the client and the
request/response format, not TF Serving itself; the signatures and the C++
loader are tested for real in test_export.py.
"""

import json
import http.server
import threading

import numpy as np
import pytest
from PIL import Image

from conftest import last_line, run_module


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


@pytest.fixture(scope="module")
def server(trained_model, tmp_path_factory):
    from singan_tf import serving
    path = serving.save(trained_model, str(tmp_path_factory.mktemp("saved_models") / "tiny"))
    fake = FakeTFServing("tiny", path)
    thread = threading.Thread(target=fake.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.shutdown()


def client(server, tmp_path, *flags):
    return run_module("singan_tf.serving_client", f"--url={server.url}",
                      f"--out_dir={tmp_path}", *flags)


def read(path):
    return np.asarray(Image.open(path))


def test_sample_pngs_match_the_signature(server, tmp_path):
    import tensorflow as tf
    result = client(server, tmp_path, "--signature=sample", "--seed=5", "--num_samples=2",
                    "--scale_w=1.5")
    assert result.returncode == 0, result.stderr[-3000:]
    want = server.loaded.signatures["sample"](
        seed=tf.constant([5, 6], tf.int64), scale_h=tf.constant(1.0), scale_w=tf.constant(1.5),
        start_scale=tf.constant(0))["images"].numpy()
    assert want.shape == (2, 32, 48, 3)
    for i in range(2):
        np.testing.assert_array_equal(read(tmp_path / f"sample_{i:03d}.png"), want[i])


def test_default_inject_and_reconstruct(server, trained_model, tmp_path):
    from singan_tf import imageio
    result = client(server, tmp_path / "default", "--seed=5")
    assert result.returncode == 0, result.stderr[-3000:]
    np.testing.assert_array_equal(read(tmp_path / "default" / "sample_000.png"),
                                  imageio.to_uint8(trained_model.generate(trained_model.seeded_noise(5))[0]))
    painting = np.zeros([40, 24, 3], np.uint8)
    painting[:20] = [200, 40, 40]
    Image.fromarray(painting).save(tmp_path / "painting.png")
    result = client(server, tmp_path / "inject", "--signature=inject", "--start_scale=2", "--seed=3",
                    f"--image={tmp_path / 'painting.png'}")
    assert result.returncode == 0, result.stderr[-3000:]
    want = trained_model.generate(trained_model.seeded_noise(3), start_scale=2,
                                  injected=painting[None].astype(np.float32) / 127.5 - 1.0)
    np.testing.assert_array_equal(read(tmp_path / "inject" / "sample_000.png"), imageio.to_uint8(want[0]))
    result = client(server, tmp_path / "rec", "--signature=reconstruct")
    assert result.returncode == 0, result.stderr[-3000:]
    np.testing.assert_array_equal(read(tmp_path / "rec" / "sample_000.png"),
                                  imageio.to_uint8(trained_model.reconstruct()[0]))


def test_errors_are_one_line(server, tmp_path):
    cases = [(["--signature=sample", "--start_scale=7"], "start_scale must be in 0..3"),
             (["--signature=inject"], "--signature=inject needs --image"),
             ([f"--url=http://127.0.0.1:{server.server_address[1]}/v1/models/other"], "(404)")]
    for flags, message in cases:
        result = client(server, tmp_path, *flags)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert message in last_line(result.stderr), result.stderr[-2000:]
    dead = run_module("singan_tf.serving_client", "--url=http://127.0.0.1:9/v1/models/x",
                      f"--out_dir={tmp_path}")
    assert dead.returncode == 1 and "cannot reach" in last_line(dead.stderr)
