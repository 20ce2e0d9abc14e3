"""Shared fixtures: tiny images made by code and one tiny model trained once per session.

Compiling a training step costs seconds per scale, so every test that needs a
trained model shares `trained_model_dir` (32 px, 4 scales, a few iterations).
"""

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_DATA = os.path.join(REPO, "..", "shared", "data")


def make_tiny_image(height=32, width=32):
    """A smooth, structured RGB image in [-1, 1] (no randomness)."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    return 0.8 * np.stack(
        [np.sin(xx / 3.0), np.cos(yy / 4.0), np.sin((xx + yy) / 5.0)], axis=-1)


def write_png(pixels, path):
    Image.fromarray(np.round((pixels + 1) * 127.5).astype(np.uint8)).save(path)
    return str(path)


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
    """
    from singan_tf import imageio, model_dir, trainer
    path = str(tmp_path_factory.mktemp("model"))
    model_dir.prepare(path)
    trainer.train(imageio.load_image(tiny_image_path), tiny_config, path,
                  image_path=tiny_image_path, progress=False)
    return path


@pytest.fixture(scope="session")
def trained_model(trained_model_dir):
    from singan_tf import model_dir
    return model_dir.load(trained_model_dir)[0]


def custom_gradients():
    """The tf.custom_gradient functions in TF's global gradient registry; each keeps the
    graph it was traced in alive (see trainer.releasing_traced_gradients)."""
    from tensorflow.python.framework import ops
    return {name for name in ops._gradient_registry._registry
            if name.startswith("CustomGradient-")}


def run_module(module, *args, cwd=None):
    """Runs `python -m module args...` in a fresh process; returns the CompletedProcess."""
    env = dict(os.environ, PYTHONPATH=REPO)
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd or REPO, env=env,
                          capture_output=True, text=True, timeout=600)


def last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""
