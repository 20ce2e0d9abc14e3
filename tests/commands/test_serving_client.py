"""The serving_client command against the TF Serving test double: PNGs, one-line errors."""

import numpy as np
from PIL import Image
import tensorflow as tf

from conftest import assert_one_line_error, read_png, run_module
from singan_tf.apps import sampling
from singan_tf.io import images


def test_each_signature_writes_its_images(command, served, trained_model, tmp_path):
    result = command("serving_client", f"--url={served.url}", f"--out_dir={tmp_path / 'd'}",
                     "--seed=5", "--num_samples=2")
    assert result.returncode == 0, result.stderr
    sample = sampling.sampler(trained_model)  # what singan_tf.sample writes
    for i in range(2):
        want = images.to_uint8(sample(5 + i))
        np.testing.assert_array_equal(read_png(tmp_path / "d" / f"sample_{i:03d}.png"), want)
    painting = np.zeros([40, 24, 3], np.uint8)
    painting[:20] = [200, 40, 40]
    Image.fromarray(painting).save(tmp_path / "painting.png")
    result = command("serving_client", f"--url={served.url}", f"--out_dir={tmp_path / 'i'}",
                     "--signature=inject", "--start_scale=2", "--seed=3",
                     f"--image={tmp_path / 'painting.png'}")
    assert result.returncode == 0, result.stderr
    want = served.loaded.signatures["inject"](image=tf.constant(painting[None]),
                                              start_scale=tf.constant([2]),
                                              seed=tf.constant([3], tf.int64))["images"][0]
    np.testing.assert_array_equal(read_png(tmp_path / "i" / "sample_000.png"), want.numpy())


def test_grpc_gives_what_rest_gives(command, served, served_grpc, tmp_path):
    for protocol, url in [("rest", served.url), ("grpc", served_grpc.url)]:
        result = command("serving_client", f"--protocol={protocol}", f"--url={url}",
                         f"--out_dir={tmp_path / protocol}", "--signature=sample", "--seed=2",
                         "--num_samples=2", "--scale_w=1.5", "--start_scale=0")
        assert result.returncode == 0, result.stderr
    for name in ("sample_000.png", "sample_001.png"):
        np.testing.assert_array_equal(read_png(tmp_path / "grpc" / name),
                                      read_png(tmp_path / "rest" / name))
    assert read_png(tmp_path / "grpc" / "sample_000.png").shape == (32, 48, 3)


def test_errors_are_one_line(command, served, tmp_path):
    (tmp_path / "file").write_text("x")
    cases = [([f"--url={served.url}", "--signature=sample", "--start_scale=7"],
              "start_scale must be in 0..3"),
             ([f"--url={served.url}", "--signature=inject"], "--signature=inject needs --image"),
             ([f"--url={served.url.replace('/tiny', '/other')}"], "(404)"),
             (["--url=http://127.0.0.1:9/v1/models/x", "--timeout=5"], "cannot reach"),
             ([f"--url={served.url}", f"--out_dir={tmp_path / 'file'}"], "not a folder"),
             (["--protocol=grpc", "--url=127.0.0.1:9/models/x"],
              "a gRPC URL is HOST:PORT/v1/models/NAME"),
             (["--protocol=grpc", "--url=127.0.0.1:9/v1/models/x", "--timeout=5"],
              "cannot reach 127.0.0.1:9")]
    for flags, message in cases:
        assert_one_line_error(command("serving_client", f"--out_dir={tmp_path / 'o'}", *flags),
                              message)


def test_smoke_in_a_fresh_process(served, tmp_path):
    result = run_module("singan_tf.serving_client", f"--url={served.url}",
                        f"--out_dir={tmp_path}", "--signature=reconstruct")
    assert result.returncode == 0 and result.stderr == "", result.stderr[-3000:]
    assert read_png(tmp_path / "sample_000.png").shape == (32, 32, 3)
