"""A client for the exported model served by TF Serving; writes the images as PNGs.

  python -m singan_tf.serving_client --url=http://localhost:8501/v1/models/NAME \
      --signature=sample --seed=S [--num_samples=N] [--scale_h=..] [--scale_w=..] [--start_scale=K]
  ... --signature=inject --image=PAINTING.png --start_scale=K --seed=S
  ... --signature=reconstruct
  ... --protocol=grpc --url=localhost:8500/v1/models/NAME[/versions/N]

REST (the default) speaks TF Serving's predict API with the standard library
only: it needs neither TensorFlow nor this package's model code. gRPC uses
tensorflow-serving-api (installed with --no-deps; its protocol buffers import
TensorFlow). The URL names the model the same way for both.
"""

import os
import re

from absl import flags

from singan_tf import cli
from singan_tf.deploy import rest_client
from singan_tf.errors import ConfigError, ServingError

FLAGS = cli.flag_values()
flags.DEFINE_string("url", None, "Model URL: http://HOST:8501/v1/models/NAME[/versions/N] "
                    "(REST), HOST:8500/v1/models/NAME[/versions/N] (gRPC).", flag_values=FLAGS)
flags.DEFINE_enum("protocol", "rest", ["rest", "grpc"], "TF Serving's REST API or its gRPC "
                  "PredictionService.", flag_values=FLAGS)
flags.DEFINE_enum("signature", "serving_default", rest_client.SIGNATURES, "Signature to call.",
                  flag_values=FLAGS)
flags.DEFINE_string("out_dir", "samples", "Where sample_000.png, ... are written.",
                    flag_values=FLAGS)
flags.DEFINE_integer("seed", 0, "Seed of the first image; image i uses seed + i.",
                     flag_values=FLAGS)
flags.DEFINE_integer("num_samples", 1, "Images per request (sample, serving_default).",
                     lower_bound=1, flag_values=FLAGS)
flags.DEFINE_float("scale_h", 1.0, "Output height relative to the training image (sample).",
                   flag_values=FLAGS)
flags.DEFINE_float("scale_w", 1.0, "Output width relative to the training image (sample).",
                   flag_values=FLAGS)
flags.DEFINE_integer("start_scale", 0, "First scale with fresh noise (sample) or the injection "
                     "scale (inject).", flag_values=FLAGS)
flags.DEFINE_string("image", None, "Image to inject (inject): a painting, a pasted object, an "
                    "edit.", flag_values=FLAGS)
flags.DEFINE_float("timeout", 300.0, "Seconds to wait for the server.", flag_values=FLAGS)
flags.mark_flag_as_required("url", flag_values=FLAGS)


def grpc_target(url):
    """(HOST:PORT, model name, version or None) of a gRPC model URL."""
    match = re.fullmatch(r"(?:\w+://)?([^/]+)/v1/models/([^/]+)(?:/versions/(\d+))?/?", url)
    if not match:
        raise ConfigError(f"--url={url}: a gRPC URL is HOST:PORT/v1/models/NAME[/versions/N]")
    return match.group(1), match.group(2), match.group(3)


def main():
    from singan_tf.io import atomic, images

    atomic.check_writable_dir(FLAGS.out_dir)
    target = grpc_target(FLAGS.url) if FLAGS.protocol == "grpc" else None
    image = None
    if FLAGS.signature == "inject":
        if FLAGS.image is None:
            raise ServingError("--signature=inject needs --image")
        image = images.to_uint8(images.load_image(FLAGS.image))
    inputs = rest_client.request_inputs(FLAGS.signature, FLAGS.seed, FLAGS.num_samples,
                                        FLAGS.scale_h, FLAGS.scale_w, FLAGS.start_scale, image)
    if FLAGS.protocol == "rest":
        pictures = rest_client.predict(FLAGS.url, FLAGS.signature, inputs, FLAGS.timeout)
    else:
        from singan_tf.deploy import grpc_client
        address, name, version = target
        pictures = grpc_client.predict(address, name, FLAGS.signature, inputs, version,
                                       FLAGS.timeout)
    os.makedirs(FLAGS.out_dir, exist_ok=True)
    for i, pixels in enumerate(pictures):
        images.save_uint8(pixels, os.path.join(FLAGS.out_dir, f"sample_{i:03d}.png"))
    print(f"{len(pictures)} images written to {FLAGS.out_dir}")


if __name__ == "__main__":
    cli.run(main, FLAGS)
