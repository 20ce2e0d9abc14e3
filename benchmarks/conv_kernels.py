"""Milliseconds and GFLOP/s of one 3x3 convolution of SinGAN's shapes, each direction.

  python benchmarks/conv_kernels.py [--threads=2] [--runs=10]
      [--shapes=188x250x32x32,97x128x64x64,188x250x128x128,188x250x32x3]

For each HxWxINxOUT (the output size and channels of a body convolution; the
input is 2 px larger each way, as in the valid convolutions of the networks),
times TensorFlow's three kernels (forward Conv2D, the input gradient
Conv2DBackpropInput, the weight gradient Conv2DBackpropFilter) and the weight
gradient as matrix products (singan_tf/training/filter_gradient.py, what
`train --filter_gradient=matmul` uses), batch 1, each compiled, median of
--runs calls. With oneDNN on, ONEDNN_VERBOSE=1 names the kernel each one runs.
The first row, a 2048 x 2048 float32 matrix product, is a reference rate for
this CPU and thread count (oneDNN's best convolution kernels can exceed it).
"""

import os

from absl import flags

from timing import median_seconds, onednn_settings
from singan_tf import cli

FLAGS = cli.flag_values()
flags.DEFINE_list("shapes", ["188x250x32x32", "97x128x64x64", "188x250x128x128", "188x250x32x3"],
                  "Output HxW and channels INxOUT of the convolutions to time.", flag_values=FLAGS)
flags.DEFINE_integer("threads", 2, "TF intra-op threads (inter-op: 1).", flag_values=FLAGS)
flags.DEFINE_integer("runs", 10, "Timed calls per figure (median).", flag_values=FLAGS)


def directions(h, w, c_in, c_out):
    """The four compiled calls on random tensors of one shape, by name."""
    import tensorflow as tf
    from singan_tf.training import filter_gradient

    # Variables, as in training: a captured constant kernel makes oneDNN's forward
    # convolution take another, slower path.
    inputs = tf.Variable(tf.random.normal([1, h + 2, w + 2, c_in], seed=1))
    kernel = tf.Variable(tf.random.normal([3, 3, c_in, c_out], seed=2))
    output_gradient = tf.Variable(tf.random.normal([1, h, w, c_out], seed=3))
    strides = [1, 1, 1, 1]
    return {
        "forward": lambda: tf.nn.conv2d(inputs, kernel, 1, "VALID"),
        "input gradient": lambda: tf.raw_ops.Conv2DBackpropInput(
            input_sizes=inputs.shape, filter=kernel, out_backprop=output_gradient,
            strides=strides, padding="VALID"),
        "weight gradient, kernel": lambda: tf.raw_ops.Conv2DBackpropFilter(
            input=inputs, filter_sizes=kernel.shape, out_backprop=output_gradient,
            strides=strides, padding="VALID"),
        "weight gradient, matmul": lambda: filter_gradient.filter_gradient(
            inputs, output_gradient, 3),
    }


def main():
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(FLAGS.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    print(f"{FLAGS.threads} threads, {onednn_settings()}, {os.cpu_count()} CPUs")
    print(f"{'shape':>17} {'call':>24} {'ms':>8} {'GFLOP/s':>8}")
    size = 2048
    a = tf.Variable(tf.random.normal([size, size], seed=4))
    b = tf.Variable(tf.random.normal([size, size], seed=5))
    matmul = tf.function(lambda: tf.matmul(a, b), autograph=False)
    seconds = median_seconds(lambda: matmul().numpy(), FLAGS.runs)
    print(f"{'2048x2048x2048':>17} {'matmul (reference)':>24} {1e3 * seconds:8.2f} "
          f"{2 * size ** 3 / seconds / 1e9:8.1f}", flush=True)
    for shape in FLAGS.shapes:
        h, w, c_in, c_out = (int(part) for part in shape.split("x"))
        flops = 2 * h * w * 9 * c_in * c_out
        for name, call in directions(h, w, c_in, c_out).items():
            compiled = tf.function(call, autograph=False)
            seconds = median_seconds(lambda: compiled().numpy(), FLAGS.runs)
            print(f"{shape:>17} {name:>24} {1e3 * seconds:8.2f} {flops / seconds / 1e9:8.1f}",
                  flush=True)


if __name__ == "__main__":
    cli.run(main, FLAGS)
