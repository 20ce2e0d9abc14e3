"""Renders one picture per application, for the docs: samples, paint-to-image, harmonization,
editing, super-resolution and animation, from models trained on ../shared/data.

  python tools/gallery.py [--preset=flags/fast.cfg] [--out_dir=runs/gallery]
      [--applications=super_resolution --applications=...]

Trains one model per reference image with the preset (flags/fast.cfg: 27 min to
an hour each on 2 CPU cores, by CPU) or reuses a complete one in
OUT_DIR/models/NAME, then writes into --out_dir: sample_wide.png,
paint2image.png (the paint, quantized, injected into the model as trained, and
into the model with its injection scale retrained), harmonization.png (the
paste, the mask, harmonized, harmonized after fine-tuning), editing.png,
super_resolution.png with super_resolution.json (the PSNR against the original
of SinGAN with and without noise, and of bicubic), animation.png and
animation.gif; --applications renders only those named. Every panel is at the
model's finest size (250 px on the long side with the fast preset). It writes
under runs/ and never into docs/: copy what you keep.
"""

import dataclasses
import json
import os

from absl import flags
import numpy as np

from singan_tf import cli
from singan_tf.errors import ConfigError

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FLAGS = cli.flag_values()
flags.DEFINE_string("data_dir", os.path.join(REPO, "..", "shared", "data"), "Reference images.",
                    flag_values=FLAGS)
flags.DEFINE_string("out_dir", os.path.join(REPO, "runs", "gallery"), "Where the PNGs go.",
                    flag_values=FLAGS)
flags.DEFINE_string("preset", os.path.join(REPO, "flags", "fast.cfg"), "Training flagfile.",
                    flag_values=FLAGS)
flags.DEFINE_integer("sr_factor", 4, "Super-resolution factor of the SR panel.",
                     flag_values=FLAGS)
flags.DEFINE_integer("paint_iters", 2000, "Iterations of paint-to-image's retraining (the "
                     "reference's).", lower_bound=1, flag_values=FLAGS)
flags.DEFINE_multi_enum("applications", None, ["samples", "paint2image", "harmonization",
                                               "editing", "super_resolution", "animation"],
                        "Render only these (default: all); each trains only the models it needs.",
                        flag_values=FLAGS)
flags.DEFINE_integer("fine_tune_iters", 500, "Iterations of harmonization's fine-tuning of the "
                     "finest scale.", lower_bound=1, flag_values=FLAGS)


def preset_config(path):
    """The TrainConfig a training flagfile states, read by absl as `train` reads it."""
    values = flags.FlagValues()
    cli.define_config_flags(values)
    return cli.config_from_flags(cli.read_flagfile(path, values))


def trained(name, image_path, config, train=None, **kwargs):
    """The model NAME: reused when complete on disk, else trained from `image_path`."""
    from singan_tf.io import images
    from singan_tf.io.model_dir import ModelDir
    from singan_tf.training import loop
    model_dir = ModelDir(os.path.join(FLAGS.out_dir, "models", name))
    if model_dir.is_complete():
        print(f"{name}: reusing {model_dir.path}", flush=True)
    else:
        print(f"{name}: training on {image_path}", flush=True)
        model_dir.prepare(overwrite=True)
        (train or loop.train)(images.load_image(image_path), config, model_dir=model_dir,
                              image_path=image_path, **kwargs)
    model, manifest = model_dir.load()
    return model, manifest


def strip(panels, path):
    """Writes [h, w, 3] panels side by side (top-aligned, 4 px white gaps)."""
    from singan_tf.io import images
    height = max(p.shape[0] for p in panels)
    gap = np.ones((height, 4, 3), np.float32)
    padded = [np.pad(p, [(0, height - p.shape[0]), (0, 0), (0, 0)], constant_values=1.0)
              for p in panels]
    images.save_image(np.concatenate([x for p in padded for x in (p, gap)][:-1], 1), path)
    print(f"wrote {path}", flush=True)


def draw_paint(real, centers):
    """Clip art for the colusseum in its palette (`centers`, [K, 3]): sky, the building as a
    wide dome in the palette's warmest colour, and the ground; the sky and the ground take the
    palette colour nearest to the mean of those rows of `real`."""
    h, w = real.shape[:2]

    def nearest(rows):
        return centers[np.argmin(np.sum((centers - rows.reshape(-1, 3).mean(0)) ** 2, -1))]

    out = np.empty_like(real)
    out[:] = nearest(real[:int(0.25 * h)])
    yy, xx = np.mgrid[0:h, 0:w]
    dome = (((xx - 0.5 * w) / (0.38 * w)) ** 2 + ((yy - 0.58 * h) / (0.36 * h)) ** 2 < 1) & \
        (yy < 0.58 * h)
    out[dome] = centers[np.argmax(centers[:, 0] - centers[:, 2])]
    out[int(0.58 * h):] = nearest(real[int(0.7 * h):])
    return out


def injection_scale(model):
    """Two scales below the finest: the reference's usual choice for a ~10-scale model."""
    return max(1, model.num_scales - 3)


def as_gray(mask):
    return np.repeat(mask[..., None] * 2 - 1, 3, -1)


def out(name):
    return os.path.join(FLAGS.out_dir, name)


def colusseum_path():
    return os.path.join(FLAGS.data_dir, "generation", "colusseum.png")


def render_samples(config):
    from singan_tf.apps import inputs, sampling
    model, manifest = trained("colusseum", colusseum_path(), config)
    real = inputs.load_real(manifest, model.sizes[-1])
    strip([real, sampling.sampler(model)(0), sampling.sampler(model, 0, 1.0, 2.0)(1)],
          out("sample_wide.png"))


def render_paint2image(config):
    from singan_tf.apps import inputs, paint
    from singan_tf.io.model_dir import ModelDir
    model, manifest = trained("colusseum", colusseum_path(), config)
    real = inputs.load_real(manifest, model.sizes[-1])
    paint_scale = 1
    centers = paint.palette(model, real, paint_scale)
    painting = draw_paint(real, centers)
    quantized = paint.to_palette(painting, centers).numpy()
    retrained = paint.retrain(ModelDir(os.path.join(FLAGS.out_dir, "models", "colusseum")), real,
                              paint_scale, centers, FLAGS.paint_iters)
    strip([painting, quantized, paint.paint2image(model, quantized, paint_scale),
           paint.paint2image(retrained, quantized, paint_scale, retrained=True)],
          out("paint2image.png"))


def render_harmonization(config):
    from singan_tf.apps import fine_tuning, injection, inputs
    from singan_tf.io.model_dir import ModelDir
    harmonization = os.path.join(FLAGS.data_dir, "harmonization")
    model, manifest = trained("scream", os.path.join(harmonization, "scream.jpg"), config)
    size = model.sizes[-1]
    naive = inputs.load_fitted(os.path.join(harmonization, "scream_naive.jpg"), size)
    mask = inputs.load_mask(os.path.join(harmonization, "scream_naive_mask.jpg"), size)
    real = inputs.load_real(manifest, size)
    start = injection_scale(model)
    result, _ = injection.inject_and_blend(model, real, naive, mask, start, 0, 7, 5.0)
    tuned = fine_tuning.fine_tune(ModelDir(os.path.join(FLAGS.out_dir, "models", "scream")), real,
                                  naive, start, FLAGS.fine_tune_iters)
    tuned_result, _ = injection.inject_and_blend(tuned, real, naive, mask, start, 0, 7, 5.0)
    strip([naive, as_gray(mask), result, tuned_result], out("harmonization.png"))


def render_editing(config):
    from singan_tf.apps import injection, inputs
    editing = os.path.join(FLAGS.data_dir, "editing")
    model, manifest = trained("stone", os.path.join(editing, "stone.png"), config)
    size = model.sizes[-1]
    edited = inputs.load_fitted(os.path.join(editing, "stone_edit_1.png"), size)
    mask = inputs.load_mask(os.path.join(editing, "stone_edit_1_mask.png"), size)
    blended, raw = injection.inject_and_blend(model, inputs.load_real(manifest, size), edited,
                                              mask, injection_scale(model), 0, 20, 5.0)
    strip([edited, as_gray(mask), raw, blended], out("editing.png"))


def render_super_resolution(config):
    """The SR panel, and the PSNR against the original of SinGAN (five seeds, and without
    noise) and of bicubic upsampling, written to super_resolution.json."""
    import tensorflow as tf
    from singan_tf.apps import super_resolution
    from singan_tf.io import images
    from singan_tf.metrics import fidelity
    from singan_tf.singan import resize_to
    factor = FLAGS.sr_factor
    high = images.load_image(colusseum_path())
    high = high[:high.shape[0] // factor * factor, :high.shape[1] // factor * factor]
    low_path = out("colusseum_low.png")
    low_size = (high.shape[0] // factor, high.shape[1] // factor)
    images.save_image(resize_to(tf.constant(high[None]), low_size)[0].numpy(), low_path)
    low = images.load_image(low_path)  # as a user's 8-bit file
    sr_model, _ = trained(f"colusseum_sr_x{factor}", low_path, config,
                          train=super_resolution.train, factor=factor)
    upscaled = super_resolution.super_resolve(sr_model, low, factor, seed=0)
    bicubic = resize_to(tf.constant(low[None]), high.shape[:2])[0].numpy()
    steps = super_resolution.chain(sr_model, *low.shape[:2], factor)
    without_noise = steps.generate([tf.zeros(s) for s in steps.noise_shapes()], 1,
                                   prev=steps.upsample(low[None], steps.sizes[1]))[0].numpy()

    def psnr(x):
        return fidelity.psnr_ssim(images.quantized(x), high)[0]

    seeds = [psnr(super_resolution.super_resolve(sr_model, low, factor, seed=s))
             for s in range(5)]
    result = {"factor": factor, "psnr_db": {
        "singan_seed_0": psnr(upscaled), "singan_seeds_0_4_mean": float(np.mean(seeds)),
        "singan_seeds_0_4": seeds, "singan_without_noise": psnr(without_noise),
        "bicubic": psnr(bicubic)}}
    with open(out("super_resolution.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(f"x{factor} PSNR against the original: {result['psnr_db']}")
    nearest = np.repeat(np.repeat(low, factor, 0), factor, 1)
    strip([nearest, upscaled, bicubic, high], out("super_resolution.png"))


def render_animation(config):
    from singan_tf.apps import animation
    animation_config = dataclasses.replace(config, noise_padding=True, min_size=20)
    model, _ = trained("lightning1", os.path.join(FLAGS.data_dir, "animation", "lightning1.png"),
                       animation_config)
    frames = animation.animate(model, frames=100)
    animation.save_gif(frames, out("animation.gif"), fps=10)
    strip(list(frames[::12][:8]), out("animation.png"))


RENDER = {"samples": render_samples, "paint2image": render_paint2image,
          "harmonization": render_harmonization, "editing": render_editing,
          "super_resolution": render_super_resolution, "animation": render_animation}


def main():
    if not os.path.isdir(FLAGS.data_dir):
        raise ConfigError(f"reference data not found: {FLAGS.data_dir}")
    os.makedirs(FLAGS.out_dir, exist_ok=True)
    config = preset_config(FLAGS.preset)
    for name in FLAGS.applications or RENDER:
        RENDER[name](config)


if __name__ == "__main__":
    cli.run(main, FLAGS)
