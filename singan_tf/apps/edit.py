"""Editing: the edited image injected at a scale, blended back into the real one by the mask.

The generators turn a crude cut-and-paste edit into texture of the image; the
blend (a disk of 20 px, then a Gaussian) keeps everything away from the edit
exactly as it was.
"""

from singan_tf.apps import masks


def edit(model, real, edited, mask, start_scale, seed=0, radius=masks.EDITING_RADIUS,
         sigma=masks.SIGMA):
    """(blended, raw) [H, W, 3] images for [H, W, 3] `real`, `edited` and an [H, W] `mask`."""
    raw = model.inject(edited, start_scale, seed).numpy()
    return masks.blend(real, raw, masks.soft_mask(mask, radius, sigma)), raw
