"""TFLite conversion: the sampling path with the noise maps as inputs, builtins only.

TFLite has no stateless random ops without Flex, and its RANDOM_STANDARD_NORMAL
draws anew on every call, so the graph takes one noise map per scale
(`noise_0` .. `noise_N-1`, at the training size) and the caller draws them
(deploy/litert.py: TF's stateless normal ported to NumPy, so seeds agree with TF). The output is uint8 [1, H, W, 3],
the same conversion as the SavedModel. Shapes are fixed: the resize taps
fold into constants and the converter needs no dynamic-shape support.
"""

import tensorflow as tf

from singan_tf.deploy.serving import to_uint8


def input_names(model):
    return [f"noise_{n}" for n in range(model.num_scales)]


def sampling_function(model, batch=1):
    """A concrete function noise_0..noise_N-1 -> `batch` uint8 images at the training size."""
    specs = [tf.TensorSpec(shape, tf.float32, name=name)
             for shape, name in zip(model.noise_shapes(batch), input_names(model))]

    @tf.function(input_signature=specs)
    def sample(*noise):
        return {"images": to_uint8(model.generate(list(noise)))}

    return sample.get_concrete_function()


def convert(model, batch=1):
    """The .tflite flatbuffer (bytes); fails rather than fall back to Flex ops."""
    function = sampling_function(model, batch)
    converter = tf.lite.TFLiteConverter.from_concrete_functions([function], model.generators[0])
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    return converter.convert()
