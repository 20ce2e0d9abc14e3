"""Renders one PNG per application into a gallery folder (README, "Gallery").

  python benchmarks/gallery.py [--data_dir=../shared/data] [--out_dir=runs/gallery]
      [--preset=flags/quick.cfg]

Trains one model per reference image with the preset (about 4-5 minutes each
on 2 CPU cores; six models in all) or reuses a complete one already in
OUT_DIR/models/NAME, then writes sample_wide.png, paint2image.png,
super_resolution.png, harmonization.png, editing.png, animation.png and
animation.gif into --out_dir. Never run as a test.
"""

import dataclasses
import os
import re
import sys

from absl import app, flags

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from singan_tf import imageio, model_dir as model_dir_lib, trainer  # noqa: E402 (sets oneDNN)
from singan_tf.apps import (animation, edit, harmonize, inputs, paint,  # noqa: E402
                            super_resolution)
from singan_tf.config import TrainConfig  # noqa: E402
from singan_tf.singan import resize_to  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

flags.DEFINE_string("data_dir", os.path.join(REPO, "..", "shared", "data"), "Reference images.")
flags.DEFINE_string("out_dir", os.path.join(REPO, "runs", "gallery"), "Where the PNGs go.")
flags.DEFINE_string("preset", os.path.join(REPO, "flags", "quick.cfg"), "Training flagfile.")
FLAGS = flags.FLAGS


def preset_config(path):
    """The TrainConfig a training flagfile states (official defaults elsewhere)."""
    fields = {f.name: f.type for f in dataclasses.fields(TrainConfig)}
    values = {}
    for line in open(path):
        match = re.match(r"--(\w+)=(\S+)", line.strip())
        if match and match.group(1) in fields:
            values[match.group(1)] = fields[match.group(1)](match.group(2))
    return TrainConfig(**values)


def trained(name, image_path, config, train=trainer.train, **kwargs):
    """The model NAME: reused when complete on disk, else trained from `image_path`."""
    path = os.path.join(FLAGS.out_dir, "models", name)
    if os.path.isfile(os.path.join(path, model_dir_lib.MANIFEST)):
        model, manifest = model_dir_lib.load(path)
        if model.num_scales == len(manifest["sizes"]):
            print(f"{name}: reusing {path}", flush=True)
            return model, manifest, path
    print(f"{name}: training on {image_path}", flush=True)
    model_dir_lib.prepare(path, overwrite=True)
    image = imageio.load_image(image_path)
    train(image, config, model_dir=path, image_path=image_path, **kwargs)
    model, manifest = model_dir_lib.load(path)
    return model, manifest, path


def strip(images, path):
    """Writes [h, w, 3] images side by side (top-aligned, 4 px white gaps)."""
    height = max(image.shape[0] for image in images)
    gap = np.ones((height, 4, 3), np.float32)
    padded = [np.pad(image, [(0, height - image.shape[0]), (0, 0), (0, 0)], constant_values=1.0)
              for image in images]
    imageio.save_image(np.concatenate([x for image in padded for x in (image, gap)][:-1], 1), path)
    print(f"wrote {path}", flush=True)


def draw_paint(real):
    """Clip art for the colusseum: sky, arena and ground bands and an arch, in its colours."""
    h, w = real.shape[:2]
    bands = [(0, int(0.35 * h)), (int(0.35 * h), int(0.75 * h)), (int(0.75 * h), h)]
    out = np.zeros_like(real)
    for top, bottom in bands:
        out[top:bottom] = real[top:bottom].reshape(-1, 3).mean(0)
    yy, xx = np.mgrid[0:h, 0:w]
    arch = ((xx - 0.5 * w) / (0.12 * w)) ** 2 + ((yy - 0.55 * h) / (0.18 * h)) ** 2 < 1
    out[arch] = real[bands[1][0]:bands[1][1]].reshape(-1, 3).min(0)
    return out


def injection_scale(model):
    """Two scales below the finest: the reference's usual choice for a ~10-scale model."""
    return max(1, model.num_scales - 3)


def main(argv):
    del argv
    data = FLAGS.data_dir
    if not os.path.isdir(data):
        sys.exit(f"error: reference data not found: {data}")
    os.makedirs(FLAGS.out_dir, exist_ok=True)
    config = preset_config(FLAGS.preset)
    out = lambda name: os.path.join(FLAGS.out_dir, name)  # noqa: E731

    colusseum = os.path.join(data, "generation", "colusseum.png")
    model, manifest, _ = trained("colusseum", colusseum, config)
    real = inputs.load_real(manifest, model.sizes[-1])
    strip([real, model.generate(model.seeded_noise(0))[0].numpy(),
           model.generate(model.seeded_noise(1, 1.0, 2.0))[0].numpy()], out("sample_wide.png"))

    painting = draw_paint(real)
    quantized, _ = paint.quantize(painting, real)
    strip([painting, quantized, paint.paint2image(model, quantized, 1)], out("paint2image.png"))

    high = imageio.load_image(colusseum)[:188, :248]  # a multiple of 4
    low_path = out("colusseum_low.png")
    low_pixels = resize_to(tf.constant(high[None]), (47, 62))[0].numpy()
    imageio.save_image(low_pixels, low_path)
    low = imageio.load_image(low_path)  # as a user's 8-bit file
    sr_model, _, _ = trained("colusseum_sr_x4", low_path, config, train=super_resolution.train,
                             factor=4)
    upscaled = super_resolution.super_resolve(sr_model, low, 4)
    bicubic = resize_to(tf.constant(low[None]), (188, 248))[0].numpy()
    print(f"x4 PSNR against the original: SinGAN {super_resolution.psnr(upscaled, high):.2f} dB, "
          f"bicubic {super_resolution.psnr(bicubic, high):.2f} dB")
    strip([np.repeat(np.repeat(low, 4, 0), 4, 1), upscaled, bicubic, high],
          out("super_resolution.png"))

    harmonization = os.path.join(data, "harmonization")
    model, manifest, _ = trained("scream", os.path.join(harmonization, "scream.jpg"), config)
    size = model.sizes[-1]
    naive = inputs.load_fitted(os.path.join(harmonization, "scream_naive.jpg"), size)
    mask = inputs.load_mask(os.path.join(harmonization, "scream_naive_mask.jpg"), size)
    result = harmonize.harmonize(model, inputs.load_real(manifest, size), naive, mask,
                                 injection_scale(model))
    strip([naive, np.repeat(mask[..., None] * 2 - 1, 3, -1), result], out("harmonization.png"))

    editing = os.path.join(data, "editing")
    model, manifest, _ = trained("stone", os.path.join(editing, "stone.png"), config)
    size = model.sizes[-1]
    edited = inputs.load_fitted(os.path.join(editing, "stone_edit_1.png"), size)
    mask = inputs.load_mask(os.path.join(editing, "stone_edit_1_mask.png"), size)
    blended, raw = edit.edit(model, inputs.load_real(manifest, size), edited, mask,
                             injection_scale(model))
    strip([edited, np.repeat(mask[..., None] * 2 - 1, 3, -1), raw, blended], out("editing.png"))

    model, _, _ = trained("lightning1", os.path.join(data, "animation", "lightning1.png"), config)
    frames = animation.animate(model, frames=100)
    animation.save_gif(frames, out("animation.gif"), fps=10)
    strip(list(frames[::12][:8]), out("animation.png"))


if __name__ == "__main__":
    app.run(main)
