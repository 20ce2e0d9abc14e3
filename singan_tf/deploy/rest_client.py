"""A client of TF Serving's REST predict API for the exported signatures: no TensorFlow.

Standard library and NumPy only, so a client machine needs none of the model
code: it sends columnar "inputs" and reads the uint8 images back.
"""

import json
import urllib.error
import urllib.request

import numpy as np

from singan_tf.errors import ServingError

SIGNATURES = ["serving_default", "sample", "inject", "reconstruct"]


def request_inputs(signature, seed, num_samples=1, scale_h=1.0, scale_w=1.0, start_scale=0,
                   image=None):
    """The inputs of a predict request for `signature`, one value per image (export format 2:
    every input batch-first), as lists: REST's columnar "inputs", or gRPC's tensors."""
    seeds = list(range(seed, seed + num_samples))
    if signature == "serving_default":
        return {"seed": seeds}
    if signature == "sample":
        return {"seed": seeds, "scale_h": [scale_h] * num_samples,
                "scale_w": [scale_w] * num_samples, "start_scale": [start_scale] * num_samples}
    if signature == "inject":
        return {"image": [np.asarray(image).tolist()], "start_scale": [start_scale],
                "seed": [seed]}
    return {"seed": [seed]}


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
