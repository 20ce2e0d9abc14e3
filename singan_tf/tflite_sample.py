"""On-device-style sampling from an exported .tflite model, without TensorFlow.

  python -m singan_tf.tflite_sample --model=NAME.tflite --out_dir=DIR --num_samples=N --seed=S

Needs only ai-edge-litert, NumPy and Pillow. The model takes one noise map per
scale (inputs noise_0 .. noise_N-1); sample i draws them as singan_tf.sample
does (TF's stateless normal, seed [S + i, n], ported to NumPy), so a seed gives
the same image as singan_tf.sample and the SavedModel, within 2 levels of uint8.
"""

import os

from absl import flags

from singan_tf import cli

FLAGS = cli.flag_values()
flags.DEFINE_string("model", None, "An exported .tflite model.", flag_values=FLAGS)
flags.DEFINE_string("out_dir", None, "Where sample_000.png, sample_001.png, ... are written.",
                    flag_values=FLAGS)
flags.DEFINE_integer("num_samples", 10, "How many samples.", lower_bound=1, flag_values=FLAGS)
flags.DEFINE_integer("seed", 0, "Seed of the first sample; sample i uses seed + i.",
                     flag_values=FLAGS)
flags.mark_flags_as_required(["model", "out_dir"], flag_values=FLAGS)


def main():
    from singan_tf.deploy.litert import TFLiteSampler
    from singan_tf.io import atomic, images

    atomic.check_writable_dir(FLAGS.out_dir)
    sampler = TFLiteSampler(FLAGS.model)
    os.makedirs(FLAGS.out_dir, exist_ok=True)
    for i in range(FLAGS.num_samples):
        image = sampler.run(sampler.noise(FLAGS.seed + i))[0]
        images.save_uint8(image, os.path.join(FLAGS.out_dir, f"sample_{i:03d}.png"))
    print(f"{FLAGS.num_samples} samples written to {FLAGS.out_dir}")


if __name__ == "__main__":
    cli.run(main, FLAGS)
