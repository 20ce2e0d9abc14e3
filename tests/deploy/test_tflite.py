"""TFLite: builtins only (runs in the stand-alone LiteRT runtime), agreement with TF, and
one-line errors for files that are not our models."""

import numpy as np
import pytest
import tensorflow as tf

from singan_tf.deploy.litert import TFLiteSampler
from singan_tf.errors import ConfigError
from singan_tf.io import images


def test_only_builtin_ops(tflite_path):
    from ai_edge_litert.interpreter import Interpreter
    interpreter = Interpreter(model_path=str(tflite_path))
    ops = {op["op_name"] for op in interpreter._get_ops_details()}
    assert ops and not any("Flex" in op or op == "CUSTOM" for op in ops), ops


def test_agrees_with_tensorflow_for_the_same_noise(trained_model, tflite_path):
    sampler = TFLiteSampler(str(tflite_path))
    assert [list(d["shape"]) for d in sampler.inputs] == trained_model.noise_shapes()
    for seed in range(3):
        noise = sampler.noise(seed)
        got = sampler.run(noise)
        want = images.to_uint8(trained_model.generate([tf.constant(z) for z in noise]))
        assert got.dtype == np.uint8 and got.shape == (1, 32, 32, 3)
        assert np.abs(got.astype(int) - want.astype(int)).max() <= 2


def test_files_that_are_not_our_models_are_refused(tmp_path):
    (tmp_path / "bad.tflite").write_bytes(b"not a model")
    for path, message in [(tmp_path / "none.tflite", "model not found"),
                          (tmp_path / "bad.tflite", "not a TFLite model")]:
        with pytest.raises(ConfigError, match=message):
            TFLiteSampler(str(path))
