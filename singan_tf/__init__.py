"""singan_tf: SinGAN (Rott Shaham et al., ICCV 2019) in TensorFlow 2 / Keras 3.

Importing the package imports no TensorFlow and changes no setting, so light
tools (on-device sampling, the serving client) live beside the library. The
commands make their process-wide choices (oneDNN, TensorFlow's log level) in
`singan_tf.cli`, before TensorFlow loads.
"""

__version__ = "0.2.0"
