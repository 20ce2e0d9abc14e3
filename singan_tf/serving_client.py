"""A small REST client for the exported model served by TF Serving; writes PNGs.

  python -m singan_tf.serving_client --url=http://localhost:8501/v1/models/NAME \
      --signature=sample --seed=S [--num_samples=N] [--scale_h=..] [--scale_w=..] [--start_scale=K]
  ... --signature=inject --image=PAINTING.png --start_scale=K --seed=S
  ... --signature=reconstruct

Speaks TF Serving's REST predict API (columnar "inputs", standard library
only); needs neither TensorFlow nor the rest of this package's model code.
"""

import json
import os
import urllib.error
import urllib.request

from absl import flags
import numpy as np

from singan_tf import cli, imageio
from singan_tf.errors import ServingError

SIGNATURES = ["serving_default", "sample", "inject", "reconstruct"]

flags.DEFINE_string("url", None, "Model URL: http://HOST:8501/v1/models/NAME[/versions/N].")
flags.DEFINE_enum("signature", "serving_default", SIGNATURES, "Signature to call.")
flags.DEFINE_string("out_dir", "samples", "Where sample_000.png, ... are written.")
flags.DEFINE_integer("seed", 0, "Seed of the first image; image i uses seed + i.")
flags.DEFINE_integer("num_samples", 1, "Images per request (sample, serving_default).", lower_bound=1)
flags.DEFINE_float("scale_h", 1.0, "Output height relative to the training image (sample).")
flags.DEFINE_float("scale_w", 1.0, "Output width relative to the training image (sample).")
flags.DEFINE_integer("start_scale", 0, "First scale with fresh noise (sample) or the injection scale (inject).")
flags.DEFINE_string("image", None, "Image to inject (inject): a painting, a pasted object, an edit.")
flags.DEFINE_float("timeout", 300.0, "Seconds to wait for the server.")
flags.mark_flags_as_required(["url"])
FLAGS = flags.FLAGS


def request_inputs(signature, seed, num_samples=1, scale_h=1.0, scale_w=1.0, start_scale=0, image=None):
    """The columnar "inputs" of a predict request for `signature`."""
    seeds = list(range(seed, seed + num_samples))
    if signature == "serving_default":
        return {"seed": seeds}
    if signature == "sample":
        return {"seed": seeds, "scale_h": scale_h, "scale_w": scale_w, "start_scale": start_scale}
    if signature == "inject":
        return {"image": [image.tolist()], "start_scale": start_scale, "seed": [seed]}
    return {}


def predict(url, signature, inputs, timeout=300.0):
    """POSTs URL:predict; returns the images as uint8 [B, H, W, 3]."""
    body = json.dumps({"signature_name": signature, "inputs": inputs}).encode()
    try:
        request = urllib.request.Request(url.rstrip("/") + ":predict", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            reply = json.load(response)
        outputs = reply["outputs"]
    except urllib.error.HTTPError as e:
        raise ServingError(f"server refused the request ({e.code}): {_error_of(e)}") from e
    except (urllib.error.URLError, OSError) as e:
        raise ServingError(f"cannot reach {url}: {e}") from e
    except (ValueError, KeyError, TypeError) as e:
        raise ServingError(f"not a TF Serving predict reply from {url}: {e}") from e
    if isinstance(outputs, dict):  # several named outputs; ours has one, which TF Serving unwraps
        outputs = outputs["images"]
    return np.asarray(outputs, np.uint8)


def _error_of(http_error):
    text = http_error.read().decode(errors="replace")
    try:
        text = json.loads(text)["error"]
    except (ValueError, KeyError, TypeError):
        pass
    return " ".join(text.split())[:500]


def main(argv):
    del argv
    image = None
    if FLAGS.signature == "inject":
        if FLAGS.image is None:
            raise ServingError("--signature=inject needs --image")
        image = imageio.to_uint8(imageio.load_image(FLAGS.image))
    inputs = request_inputs(FLAGS.signature, FLAGS.seed, FLAGS.num_samples, FLAGS.scale_h,
                            FLAGS.scale_w, FLAGS.start_scale, image)
    images = predict(FLAGS.url, FLAGS.signature, inputs, FLAGS.timeout)
    os.makedirs(FLAGS.out_dir, exist_ok=True)
    for i, pixels in enumerate(images):
        imageio.save_uint8(pixels, os.path.join(FLAGS.out_dir, f"sample_{i:03d}.png"))
    print(f"{len(images)} images written to {FLAGS.out_dir}")


if __name__ == "__main__":
    cli.run(main)
