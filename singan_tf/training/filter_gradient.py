"""A convolution's weight gradient as one matrix product per kernel tap.

For a valid, stride-1 convolution y = conv(x, w) with a k x k kernel,
dL/dw[i, j] = x[:, i:i+H', j:j+W', :]^T . dL/dy over every output pixel: k*k
products of an [pixels, in] and a [pixels, out] matrix. On CPUs without
AVX-512, oneDNN's backward-weights kernel (`jit:avx2`) runs the larger of
SinGAN's batch-1 shapes at a quarter to a half of the speed of these
products on its matrix kernel, and the weight gradients are about a third of
a training iteration's convolution work (each critic step differentiates
the critic twice): docs/performance.md. The sums run in another order, so
the gradients equal the kernel's up to float32 rounding.
"""

import functools

import tensorflow as tf

# Narrower convolutions (the first layer's 3 input channels, the tails' 1 or 3 outputs) are
# faster in TensorFlow's kernel.
MIN_CHANNELS = 8


def filter_gradient(inputs, output_gradient, kernel_size):
    """dL/dw [k, k, in, out] of a valid, stride-1 NHWC convolution of `inputs` [B, H, W, in]
    with a k x k kernel, given dL/dy `output_gradient` [B, H-k+1, W-k+1, out]."""
    channels_in = inputs.shape[-1]
    channels_out = output_gradient.shape[-1]
    shape = tf.shape(output_gradient)
    rows, cols = shape[1], shape[2]
    gradient = tf.reshape(output_gradient, [-1, channels_out])
    taps = [tf.matmul(tf.reshape(inputs[:, i:i + rows, j:j + cols, :], [-1, channels_in]),
                      gradient, transpose_a=True)
            for i in range(kernel_size) for j in range(kernel_size)]
    return tf.reshape(tf.stack(taps), [kernel_size, kernel_size, channels_in, channels_out])


def applies(op):
    """Whether `op` (a Conv2D, or the Conv2DBackpropInput of its gradient) is a convolution
    `filter_gradient` computes, and wide enough to gain by it."""
    kernel = op.inputs[1].shape
    return (kernel.rank == 4 and kernel.is_fully_defined() and kernel[0] == kernel[1]
            and min(kernel[2], kernel[3]) >= MIN_CHANNELS
            and op.get_attr("padding") == b"VALID" and op.get_attr("data_format") == b"NHWC"
            and list(op.get_attr("strides")) == [1, 1, 1, 1]
            and list(op.get_attr("dilations")) == [1, 1, 1, 1])


@functools.lru_cache(maxsize=None)
def cpu_has_avx512():
    """Whether this (Linux) CPU lists AVX-512; False where /proc/cpuinfo cannot be read."""
    try:
        with open("/proc/cpuinfo") as f:
            return any(line.startswith("flags") and " avx512f" in line for line in f)
    except OSError:
        return False


def uses_matmul(choice, jit_compile):
    """Whether training with `choice` (config.FILTER_GRADIENTS) computes weight gradients
    by matmul: "auto" does on CPUs without AVX-512 and without XLA (measured faster there),
    "kernel" never (TensorFlow's Conv2DBackpropFilter)."""
    if choice == "auto":
        return not jit_compile and not cpu_has_avx512()
    return choice == "matmul"
