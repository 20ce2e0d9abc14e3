"""The tflite_sample command, in a process where TensorFlow cannot be imported."""

import os
import subprocess
import sys
import textwrap

import numpy as np

from conftest import REPO, assert_one_line_error, read_png
from singan_tf.deploy.litert import TFLiteSampler
from singan_tf.io import images


def run_without_tensorflow(*args, cwd):
    """python -m singan_tf.tflite_sample ARGS with `import tensorflow` made to fail."""
    script = textwrap.dedent("""
        import runpy, sys
        sys.modules["tensorflow"] = None
        sys.argv = ["tflite_sample", *sys.argv[1:]]
        try:
            runpy.run_module("singan_tf.tflite_sample", run_name="__main__")
        finally:
            assert not any(m == "tensorflow" or m.startswith("tensorflow.") for m in sys.modules
                           if sys.modules[m] is not None), "tensorflow was imported"
    """)
    env = dict(os.environ, PYTHONPATH=REPO)
    return subprocess.run([sys.executable, "-c", script, *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_smoke_needs_no_tensorflow_and_gives_the_seeds_images(tflite_path, trained_model,
                                                              tmp_path):
    out = tmp_path / "out"
    result = run_without_tensorflow(f"--model={tflite_path}", f"--out_dir={out}",
                                    "--num_samples=2", "--seed=4", cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr[-3000:]
    assert sorted(os.listdir(out)) == ["sample_000.png", "sample_001.png"]
    sampler = TFLiteSampler(str(tflite_path))
    for i in range(2):
        np.testing.assert_array_equal(read_png(out / f"sample_{i:03d}.png"),
                                      sampler.run(sampler.noise(4 + i))[0])
        # Same seed, same image as singan_tf.sample (noise drawn by the NumPy port of TF's).
        tf_image = images.to_uint8(trained_model.generate(trained_model.seeded_noise(4 + i))[0])
        assert np.abs(read_png(out / f"sample_{i:03d}.png").astype(int) - tf_image).max() <= 2


def test_errors_are_one_line(command, tmp_path):
    (tmp_path / "bad.tflite").write_bytes(b"not a model")
    for model, message in [(tmp_path / "none.tflite", "model not found"),
                           (tmp_path / "bad.tflite", "not a TFLite model")]:
        assert_one_line_error(command("tflite_sample", f"--model={model}",
                                      f"--out_dir={tmp_path / 'o'}"), message)
    assert not (tmp_path / "o").exists()
