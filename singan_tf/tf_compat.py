"""Every use of TensorFlow's private API, and the TensorFlow workarounds training needs.

Nothing here runs on import: `install_training_workarounds()` is called by the
trainer (so a process that only samples or exports keeps TensorFlow as it
was), and the context managers wrap the trainer's compiled step.

Two of them reach into TF's private gradient registry, which has no public
way to wrap a registered gradient (tf.RegisterGradient refuses a second
registration, tapes ignore gradient_override_map) or to drop an entry. They
were written against TensorFlow 2.16-2.21: on another version they still run
if the registry has the same shape, with a warning; if it has not, training
stops with an error naming the version instead of going wrong quietly.
"""

import contextlib

from absl import logging
import tensorflow as tf
from tensorflow.python.framework import ops as _tf_ops

from singan_tf.training import filter_gradient

TESTED_VERSIONS = ("2.16", "2.21")  # inclusive, major.minor


def _registry():
    """TF's gradient registry: op type (or custom gradient name) -> {"type": function, ...}."""
    registry = getattr(getattr(_tf_ops, "_gradient_registry", None), "_registry", None)
    if not isinstance(registry, dict) or "FusedBatchNormGradV3" not in registry:
        raise RuntimeError(
            f"TensorFlow {tf.__version__} keeps its gradient registry differently from the "
            f"versions singan_tf supports ({TESTED_VERSIONS[0]} to {TESTED_VERSIONS[1]}): "
            f"install one of those to train")
    return registry


def _check_version():
    version = tuple(int(part) for part in tf.__version__.split(".")[:2])
    low, high = (tuple(int(p) for p in v.split(".")) for v in TESTED_VERSIONS)
    if not low <= version <= high:
        logging.warning("TensorFlow %s is outside the versions singan_tf was tested with "
                        "(%s to %s); training uses private TensorFlow API (singan_tf/tf_compat.py)",
                        tf.__version__, *TESTED_VERSIONS)


def install_training_workarounds():
    """Wraps two gradients of TF's registry (idempotent): the batch norm's second derivative
    waits for its incoming gradient, and convolutions can take their weight gradients from
    matrix products (`matmul_filter_gradients`).

    The gradient penalty differentiates every BatchNormalization twice. TF does
    the second time by recomputing the first derivative from elementwise ops
    under a tape of its own; those ops read only first-derivative tensors,
    ready long before the backward pass reaches them, so the executor ran every
    layer's recomputation at once and the critic step held about 15
    activation-sized tensors more (docs/performance.md, Memory). Under a
    control dependency on the incoming gradient each layer recomputes when it
    is reached; the math is TF's own, unchanged.
    """
    registry = _registry()
    entry = registry["FusedBatchNormGradV3"]
    tf_gradient = entry["type"]
    if getattr(tf_gradient, "waits_for_its_gradient", False):
        return
    _check_version()

    def gradient(op, *grads):
        with tf.control_dependencies([g for g in grads if g is not None]):
            return tf_gradient(op, *grads)

    gradient.waits_for_its_gradient = True
    entry["type"] = gradient
    _install_filter_gradients(registry)


_matmul_filter_gradients = [False]  # switched by the context manager below


def _install_filter_gradients(registry):
    """Wraps the gradients of Conv2D and Conv2DBackpropInput (the op of a convolution's
    input gradient, which the gradient penalty differentiates again) so that, inside
    `matmul_filter_gradients()`, their weight gradient comes from filter_gradient.py."""
    conv_gradient = registry["Conv2D"]["type"]
    input_gradient_gradient = registry["Conv2DBackpropInput"]["type"]

    def conv(op, grad):
        inputs_grad, filter_grad = conv_gradient(op, grad)
        if _matmul_filter_gradients[0] and filter_gradient.applies(op):
            filter_grad = filter_gradient.filter_gradient(
                op.inputs[0], grad, op.inputs[1].shape[0])
        return [inputs_grad, filter_grad]

    def conv_input_gradient(op, grad):
        # The op is dx = conv_transpose(dy, w); dL/dw pairs its incoming gradient (shaped
        # like x) with dy, as a convolution's weight gradient pairs x with dy.
        _, filter_grad, output_grad = input_gradient_gradient(op, grad)
        if _matmul_filter_gradients[0] and filter_gradient.applies(op):
            filter_grad = filter_gradient.filter_gradient(
                grad, op.inputs[2], op.inputs[1].shape[0])
        return [None, filter_grad, output_grad]

    registry["Conv2D"]["type"] = conv
    registry["Conv2DBackpropInput"]["type"] = conv_input_gradient


@contextlib.contextmanager
def matmul_filter_gradients(enabled=True):
    """Gradients taken (traced) inside compute the weight gradients of valid, stride-1
    convolutions as matrix products (filter_gradient.py) when `enabled`; needs
    install_training_workarounds()."""
    saved = _matmul_filter_gradients[0]
    _matmul_filter_gradients[0] = enabled
    try:
        yield
    finally:
        _matmul_filter_gradients[0] = saved


def training_workarounds_installed():
    return getattr(_registry()["FusedBatchNormGradV3"]["type"], "waits_for_its_gradient", False)


@contextlib.contextmanager
def lean_graph_rewrites():
    """Compiles and runs the functions inside without Grappler's constant folding and
    arithmetic rewrites, which would materialize zeros of the gradient penalty's second
    derivative as activation-sized constants that the compiled function keeps for its
    lifetime. The options are process-wide, so they are restored on exit; a function is
    optimized once, on its first call, with the options in force then."""
    rewrites = {"constant_folding": False, "arithmetic_optimization": False}
    saved = tf.config.optimizer.get_experimental_options()
    tf.config.optimizer.set_experimental_options(rewrites)
    try:
        yield
    finally:  # both default to on
        tf.config.optimizer.set_experimental_options({k: saved.get(k, True) for k in rewrites})


def custom_gradient_names():
    """The tf.custom_gradient functions in TF's gradient registry (each keeps its graph alive)."""
    return {name for name in _registry() if name.startswith("CustomGradient-")}


@contextlib.contextmanager
def releasing_traced_gradients():
    """Lets a step traced inside be freed with its trainer.

    Keras' optimizer.apply, traced in graph mode, sums the gradients with the
    default distribution strategy's all_reduce, a tf.custom_gradient; TF
    registers every such gradient function in a global registry and never
    removes it (tensorflow/tensorflow#97697), and that function holds the whole
    traced step: its graph and captured tensors would stay in memory to the end
    of the run, scale after scale. On exit the entries registered inside are
    removed. Only differentiating a function traced inside from outside it, or
    exporting one, would read them again; training does neither.
    """
    registry = _registry()
    count = len(registry)  # a dict: new entries come last
    try:
        yield
    finally:
        for name in list(registry)[count:]:
            if name.startswith("CustomGradient-"):
                del registry[name]
