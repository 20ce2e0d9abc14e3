"""singan_tf: SinGAN (Rott Shaham et al., ICCV 2019) in TensorFlow 2 / Keras 3.

Importing the package imports no TensorFlow, so light tools (on-device sampling)
can live beside the library.
"""

__version__ = "0.1.0"
