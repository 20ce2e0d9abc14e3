"""Injection through a mask: an image refined from scale K, blended back into the real one.

Harmonization (a naive paste) and editing (a crude cut-and-paste edit) are one
operation: the image is injected at scale K, the scales from K up turn it
into the training image's texture, and the output is blended into the real
image through the mask dilated by a disk and blurred by a Gaussian
(apps/masks.py), so every pixel beyond the blend's reach is the real image.
The reference radii are 7 px for harmonization and 20 for editing, sigma 5,
in pixels of the model's finest size (flags/harmonize.cfg, flags/edit.cfg).
"""

from singan_tf.apps import masks


def inject_and_blend(model, real, image, mask, start_scale, seed, radius, sigma):
    """(blended, raw) [H, W, 3] images for [H, W, 3] `real` and `image` and an [H, W] `mask`;
    raw is the generator's output before blending."""
    raw = model.inject(image, start_scale, seed).numpy()
    return masks.blend(real, raw, masks.soft_mask(mask, radius, sigma)), raw
