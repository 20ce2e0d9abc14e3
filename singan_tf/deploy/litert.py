"""The exported .tflite sampler in the LiteRT interpreter: NumPy noise in, uint8 images out.

Imports no TensorFlow (only ai-edge-litert and NumPy), so it runs on devices
and machines without it. Noise for scale n of seed S is TF's stateless normal
with seed [S, n] (ported in philox.py), as in SinGAN.seeded_noise: a seed gives
the image singan_tf.sample gives, within 2 levels of uint8.
"""

import os

from singan_tf.deploy import philox
from singan_tf.errors import ConfigError


class TFLiteSampler:
    """A LiteRT interpreter over the exported sampling graph."""

    def __init__(self, path, num_threads=None):
        try:  # imported late: --help works without it
            from ai_edge_litert.interpreter import Interpreter
        except ImportError as e:
            raise ConfigError("TFLite sampling needs ai-edge-litert: pip install -e '.[tflite]'") from e
        if not os.path.isfile(path):
            raise ConfigError(f"model not found: {path}")
        try:
            self.interpreter = Interpreter(model_path=path, num_threads=num_threads)
        except ValueError as e:
            raise ConfigError(f"not a TFLite model: {path}: {e}") from e
        self.interpreter.allocate_tensors()
        inputs = {d["name"]: d for d in self.interpreter.get_input_details()}
        names = [f"noise_{n}" for n in range(len(inputs))]
        if sorted(inputs) != sorted(names):
            raise ConfigError(f"not a singan_tf TFLite model (inputs {sorted(inputs)}): {path}")
        self.inputs = [inputs[name] for name in names]
        self.output = self.interpreter.get_output_details()[0]["index"]

    def noise(self, seed):
        """The noise maps for one sample: SinGAN.seeded_noise(seed), drawn without TF."""
        return [philox.stateless_normal(d["shape"], (seed, n)) for n, d in enumerate(self.inputs)]

    def run(self, noise):
        """uint8 [1, H, W, 3] for the given noise maps."""
        for detail, z in zip(self.inputs, noise):
            self.interpreter.set_tensor(detail["index"], z)
        self.interpreter.invoke()
        return self.interpreter.get_tensor(self.output)
