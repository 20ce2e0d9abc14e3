"""filter_gradient: a convolution's weight gradient as one matrix product per tap."""

import numpy as np
import pytest
import tensorflow as tf

from conftest import ancestors
from singan_tf import losses, models, tf_compat
from singan_tf.config import TrainConfig
from singan_tf.errors import ConfigError
from singan_tf.training import filter_gradient


@pytest.mark.parametrize("kernel_size", [1, 3, 5])
def test_equals_tensorflows_kernel_over_a_batch(kernel_size):
    inputs = tf.random.normal([2, 13, 17, 8], seed=1)
    out_rows, out_cols = 13 - kernel_size + 1, 17 - kernel_size + 1
    output_gradient = tf.random.normal([2, out_rows, out_cols, 12], seed=2)
    want = tf.raw_ops.Conv2DBackpropFilter(
        input=inputs, filter_sizes=[kernel_size, kernel_size, 8, 12],
        out_backprop=output_gradient, strides=[1, 1, 1, 1], padding="VALID")
    got = filter_gradient.filter_gradient(inputs, output_gradient, kernel_size)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)


def _penalty_step(critic, real, fake):
    """The critic's gradient-penalty weight gradients, compiled (as training does)."""
    @tf.function(autograph=False)
    def step():
        with tf.GradientTape() as tape:
            penalty = losses.gradient_penalty(lambda x: critic(x, training=True), real, fake, 0.3)
        return tape.gradient(penalty, critic.trainable_variables)
    return step


def _executed_op_types(step):
    """The types of the ops the step's outputs depend on (TF's gradient functions also
    build ops that nothing uses; the runtime prunes them)."""
    outputs = {t.op for t in step.get_concrete_function().graph.outputs}
    return [op.type for op in outputs.union(*(ancestors(op) for op in outputs))]


def test_the_penalty_gradients_agree_and_only_narrow_layers_use_the_kernel():
    """Inside the context every weight gradient of the critic's 16-channel layers (first and
    second order) is the matmul's; the head (3 input channels) and the tail (1 output
    channel) keep TensorFlow's kernel, and the gradients agree to rounding."""
    tf_compat.install_training_workarounds()
    critic = models.Discriminator(16, 16).build_at((24, 28))
    real = tf.random.normal([1, 24, 28, 3], seed=3)
    fake = tf.random.normal([1, 24, 28, 3], seed=4)
    kernel_step, matmul_step = _penalty_step(critic, real, fake), _penalty_step(critic, real, fake)
    with tf_compat.matmul_filter_gradients(False):
        want = kernel_step()
    with tf_compat.matmul_filter_gradients(True):
        got = matmul_step()
    for w, g, v in zip(want, got, critic.trainable_variables):
        if w is None:  # the tail's bias: no part in the penalty
            assert g is None
            continue
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4 * float(tf.reduce_max(tf.abs(w))),
                                   err_msg=v.path)
    kernel_filters = _executed_op_types(kernel_step).count("Conv2DBackpropFilter")
    matmul_filters = _executed_op_types(matmul_step).count("Conv2DBackpropFilter")
    # The penalty differentiates each convolution's forward op and its input gradient's op:
    # the 3 body blocks' 2 each go to the matmul; the head's 2 and the tail's 1 stay.
    assert (kernel_filters, matmul_filters) == (9, 3)


def test_auto_means_matmul_without_avx512_and_without_xla(monkeypatch):
    monkeypatch.setattr(filter_gradient, "cpu_has_avx512", lambda: False)
    assert filter_gradient.uses_matmul("auto", jit_compile=False)
    assert not filter_gradient.uses_matmul("auto", jit_compile=True)
    monkeypatch.setattr(filter_gradient, "cpu_has_avx512", lambda: True)
    assert not filter_gradient.uses_matmul("auto", jit_compile=False)
    assert filter_gradient.uses_matmul("matmul", jit_compile=True)
    assert not filter_gradient.uses_matmul("kernel", jit_compile=False)


def test_an_unknown_choice_is_a_config_error():
    with pytest.raises(ConfigError, match="filter_gradient='fast' must be one of auto, matmul"):
        TrainConfig(filter_gradient="fast")
