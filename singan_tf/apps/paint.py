"""Paint-to-image: a clip-art image injected at a coarse scale, the finer scales add texture.

With `quantize`, as the reference, the training image is reduced to a few
colours by k-means and the paint is mapped onto that palette, so its flat
regions carry colours the generators have seen. (The reference then retrains
scale K on the quantised image; here the trained pyramid is used as it is.)
"""

import numpy as np
from PIL import Image

from singan_tf.io import images

COLORS = 5


def quantize(paint, real, colors=COLORS):
    """(paint on the real image's palette, the real image in those colours), both [H, W, 3]."""
    real_q = Image.fromarray(images.to_uint8(real)).quantize(colors=colors, kmeans=colors)
    paint_q = Image.fromarray(images.to_uint8(paint)).quantize(palette=real_q,
                                                                dither=Image.Dither.NONE)
    return tuple(np.asarray(q.convert("RGB"), np.float32) / 127.5 - 1.0 for q in (paint_q, real_q))


def paint2image(model, paint, start_scale, seed=0):
    """Injects [H, W, 3] `paint` at `start_scale` with noise from `seed`; [H, W, 3]."""
    return model.inject(paint, start_scale, seed).numpy()
