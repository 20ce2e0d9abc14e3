"""Shared fixtures: tiny images made by code, one tiny model trained once per test run, and
the ways to run a command (in this process, or as a user would in a fresh one).

Compiling a training step costs seconds per scale, so every test that needs a
trained model shares `trained_model_dir` (32 px, 4 scales, 40 iterations) and
only reads it; a test that changes a model loads or copies its own.
"""

import collections
import importlib
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageFilter

# The commands run with oneDNN on (singan_tf/cli.py); so do the models trained in this process,
# or a model trained here and one trained by a command in a fresh process would differ on CPUs
# where TensorFlow's default is off (AMD).
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_DATA = os.path.join(REPO, "..", "shared", "data")
needs_shared_data = pytest.mark.skipif(
    not os.path.isdir(SHARED_DATA), reason="../shared/data (the reference images) is absent")

Result = collections.namedtuple("Result", "returncode stdout stderr")


def ancestors(op):
    """Every graph op that must run before `op` (data and control inputs, transitively)."""
    seen, stack = set(), [op]
    while stack:
        current = stack.pop()
        for parent in [t.op for t in current.inputs] + list(current.control_inputs):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def make_tiny_image(height=32, width=32):
    """A smooth, structured RGB image in [-1, 1] (no randomness)."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    return 0.8 * np.stack(
        [np.sin(xx / 3.0), np.cos(yy / 4.0), np.sin((xx + yy) / 5.0)], axis=-1)


def make_paint(height=32, width=32):
    """Clip art: three flat colour regions."""
    pixels = np.zeros((height, width, 3), np.float32)
    pixels[: height // 2] = [0.6, 0.7, -0.2]
    pixels[height // 2:] = [-0.5, 0.1, 0.5]
    pixels[8:20, 10:22] = [0.8, -0.6, 0.0]
    return pixels


def pasted_square(real):
    """A flat square pasted into the top-left corner of `real` (a naive paste), and its mask."""
    mask = np.zeros(real.shape[:2], np.float32)
    mask[2:8, 2:8] = 1
    naive = real.copy()
    naive[mask > 0] = [0.9, -0.9, 0.2]
    return naive, mask


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
    """A perfect generator's draws (crops, a flip) and three kinds of damage."""
    noise = np.random.default_rng(1).standard_normal(real.shape).astype(np.float32)
    return {
        "crop_a": real[10:160, 30:230],
        "crop_b": real[35:185, 3:203],
        "flip": real[20:170, 45:245, :][:, ::-1],
        "blur": gaussian_blur(real, 3),
        "noise": np.clip(real + 0.25 * noise, -1, 1),
        "shuffle": shuffle_tiles(real, 16),
    }


def write_png(pixels, path):
    Image.fromarray(np.round((pixels + 1) * 127.5).astype(np.uint8)).save(path)
    return str(path)


def read_png(path):
    return np.asarray(Image.open(path))


@pytest.fixture(scope="session")
def tiny_image():
    return make_tiny_image()


@pytest.fixture(scope="session")
def tiny_image_path(tmp_path_factory, tiny_image):
    return write_png(tiny_image, tmp_path_factory.mktemp("images") / "tiny.png")


@pytest.fixture(scope="session")
def tiny_config():
    from singan_tf.config import TrainConfig
    return TrainConfig(max_size=32, min_size=20, niter=40, seed=3)


@pytest.fixture(scope="session")
def trained_model_dir(tmp_path_factory, tiny_image_path, tiny_config):
    """A model trained in-process through the library: 4 scales of 21..32 px.

    It trains on the PNG as loaded (not the float array), like the command line.
    Tests only read it: one that writes copies it first.
    """
    from singan_tf.io import images
    from singan_tf.io.model_dir import ModelDir
    from singan_tf.training import loop
    model_dir = ModelDir(str(tmp_path_factory.mktemp("model")))
    model_dir.prepare()
    loop.train(images.load_image(tiny_image_path), tiny_config, model_dir,
               image_path=tiny_image_path, progress=False)
    return model_dir.path


@pytest.fixture(scope="session")
def trained_model(trained_model_dir):
    """The trained model, loaded once; no test changes it."""
    from singan_tf.io.model_dir import ModelDir
    return ModelDir(trained_model_dir).load()[0]


@pytest.fixture(scope="session")
def tflite_path(trained_model, tmp_path_factory):
    """The trained model converted to TFLite."""
    from singan_tf.deploy import tflite
    path = tmp_path_factory.mktemp("tflite") / "tiny.tflite"
    path.write_bytes(tflite.convert(trained_model))
    return path


@pytest.fixture(scope="session")
def served(trained_model, tmp_path_factory):
    """The trained model exported with the default limits and served by the TF Serving test
    double (singan_tf/deploy/serving_double.py) on 127.0.0.1."""
    from singan_tf.deploy import serving
    from singan_tf.deploy import serving_double
    path = serving.save(trained_model, str(tmp_path_factory.mktemp("saved_models") / "tiny"))
    server = serving_double.serving(path)
    yield server
    server.shutdown()


@pytest.fixture(scope="session")
def served_grpc(served):
    """The same SavedModel behind the gRPC PredictionService test double."""
    from singan_tf.deploy import serving_double
    server = serving_double.serving_grpc(served.model.loaded_path)
    yield server
    server.shutdown()


@pytest.fixture
def command(capsys):
    """Runs `python -m singan_tf.NAME ARGS` in this process; returns (returncode, stdout,
    stderr). Flags and one-line errors are checked this way; `run_module` runs the same in a
    fresh process, as a user would (one smoke test per command)."""
    from singan_tf import cli

    def run(name, *args):
        module = importlib.import_module(f"singan_tf.{name}")
        capsys.readouterr()
        code = cli.execute(module.main, module.FLAGS, [name, *map(str, args)])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def run_module(module, *args, cwd=None, env=None):
    """Runs `python -m module args...` in a fresh process; returns the CompletedProcess."""
    env = dict(os.environ, PYTHONPATH=REPO, **(env or {}))
    return subprocess.run([sys.executable, "-m", module, *map(str, args)], cwd=cwd or REPO,
                          env=env, capture_output=True, text=True, timeout=600)


def last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def assert_one_line_error(result, message):
    """A user error: status 1, no traceback, and `message` in the last line of stderr."""
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    assert last_line(result.stderr).startswith("error: "), result.stderr[-2000:]
    assert message in last_line(result.stderr), result.stderr[-2000:]
