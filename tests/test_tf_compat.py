"""tf_compat: what training changes in TensorFlow, only when training asks, and that it works."""

import gc
import os
import subprocess
import sys
import textwrap
import weakref

import keras
import numpy as np
import tensorflow as tf

from conftest import REPO, ancestors
from singan_tf import models, tf_compat


def test_sampling_and_exporting_leave_tensorflow_as_it_was():
    """Importing the library (and sampling, exporting) changes no gradient; building a
    trainer installs the batch norm's wrapper."""
    script = textwrap.dedent("""
        import numpy as np
        from tensorflow.python.framework import ops
        registry = ops._gradient_registry._registry
        before = dict((k, v["type"]) for k, v in registry.items())
        import singan_tf.io.model_dir, singan_tf.deploy.serving, singan_tf.deploy.tflite
        import singan_tf.apps.sampling, singan_tf.training.loop, singan_tf.metrics.report
        from singan_tf import models, singan
        g = models.Generator(8, 8).build_at((12, 12))
        model = singan.SinGAN(0.75, np.zeros([1, 12, 12, 1], np.float32))
        model.add_scale(g, 1.0, (12, 12))
        model.generate(model.seeded_noise(0))
        after = dict((k, v["type"]) for k, v in registry.items())
        assert after == before, set(after.items()) ^ set(before.items())
        from singan_tf import tf_compat
        assert not tf_compat.training_workarounds_installed()
        print("unchanged")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=REPO), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "unchanged" in result.stdout


def test_lean_graph_rewrites_are_off_inside_and_the_callers_options_come_back():
    before = tf.config.optimizer.get_experimental_options()
    tf.config.optimizer.set_experimental_options({"arithmetic_optimization": False})
    try:
        with tf_compat.lean_graph_rewrites():
            inside = tf.config.optimizer.get_experimental_options()
        after = tf.config.optimizer.get_experimental_options()
    finally:
        tf.config.optimizer.set_experimental_options(
            {k: before.get(k, True) for k in ("constant_folding", "arithmetic_optimization")})
    assert not inside["constant_folding"] and not inside["arithmetic_optimization"]
    assert after["constant_folding"] and not after["arithmetic_optimization"]


def test_a_compiled_step_is_freed_after_the_releasing_block():
    """Keras' optimizer.apply traces a tf.custom_gradient, and TF's gradient registry would
    keep the traced step (graph and captured tensors) to the end of the process."""
    variable = tf.Variable([1.0, 2.0])
    optimizer = keras.optimizers.Adam(0.1)
    optimizer.build([variable])
    with tf_compat.releasing_traced_gradients():
        step = tf.function(lambda: optimizer.apply([tf.constant([1.0, -1.0])], [variable]))
        step()
        graph = weakref.ref(step.get_concrete_function().graph)
    del step
    gc.collect()  # a graph is a reference cycle
    assert graph() is None
    np.testing.assert_allclose(variable.numpy(), [0.9, 2.1], rtol=1e-5)  # the step did run


def test_batchnorm_second_derivative_waits_for_its_incoming_gradient():
    """TF takes the second derivative of the fused batch norm by recomputing the first
    from elementwise ops; run as soon as their inputs existed, every layer's recomputation
    was alive at once (docs/performance.md, Memory). Each must now wait for the gradient
    reaching it, which here comes from the first derivative's own output."""
    tf_compat.install_training_workarounds()
    assert tf_compat.training_workarounds_installed()
    layer = models.BatchNormalization()
    layer.build([1, 4, 4, 3])

    @tf.function
    def penalty_gradient(x):
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                inner.watch(x)
                score = tf.reduce_sum(tf.square(layer(x, training=True)))
            penalty = tf.reduce_sum(tf.square(inner.gradient(score, x)))
        return outer.gradient(penalty, layer.gamma)

    graph = penalty_gradient.get_concrete_function(tf.TensorSpec([1, 4, 4, 3])).graph
    first_derivative = next(op for op in graph.get_operations()  # the inner tape's, made first
                            if op.type == "FusedBatchNormGradV3")
    recomputed = [op for op in graph.get_operations() if op.type == "SquaredDifference"]
    assert recomputed  # the recomputed variance of TF's second derivative
    for op in recomputed:
        assert first_derivative in ancestors(op)
