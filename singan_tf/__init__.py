"""singan_tf: SinGAN (Rott Shaham et al., ICCV 2019) in TensorFlow 2 / Keras 3.

Importing the package imports no TensorFlow, so light tools (on-device sampling)
can live beside the library.
"""

import os

# oneDNN's CPU kernels train 1.6-2x faster here; TF leaves them off by default on
# some CPUs (AMD). Set before TensorFlow loads; an explicit user setting wins.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

__version__ = "0.1.0"
