"""The model directory: everything needed to sample, with no pickles and no training image.

  model.json            format version, config, ratio, per-scale sizes, image
  scale_00/ ... scale_NN/
    scale.json          noise amplitude, size, network widths
    generator.weights.h5, discriminator.weights.h5
    z_rec.npy           (scale 0 only) the fixed reconstruction noise
  logs/                 TensorBoard summaries

A scale is written under a hidden temporary name and renamed into place when
complete, so a crash never leaves a half-written scale that loading accepts.
"""

import json
import os
import shutil

import numpy as np

from singan_tf import models
from singan_tf.errors import ModelDirError
from singan_tf.singan import SinGAN

FORMAT = "singan_tf.model"
VERSION = 1
MANIFEST = "model.json"


def scale_dir(model_dir, n):
    return os.path.join(model_dir, f"scale_{n:02d}")


def prepare(model_dir, overwrite=False):
    """Creates `model_dir`, refusing one that already holds a model unless `overwrite`."""
    if os.path.exists(model_dir) and not os.path.isdir(model_dir):
        raise ModelDirError(f"model_dir is a file, not a directory: {model_dir}")
    os.makedirs(model_dir, exist_ok=True)
    entries = [e for e in os.listdir(model_dir)
               if e == MANIFEST or e.startswith("scale_") or e.startswith(".scale_")]
    if entries and not overwrite:
        raise ModelDirError(
            f"model_dir already holds a model: {model_dir} (pass --overwrite to replace it)")
    for entry in entries:
        path = os.path.join(model_dir, entry)
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)


def write_manifest(model_dir, config, schedule, image_path):
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "image": os.path.abspath(image_path),
        "image_scale": schedule.image_scale,
        "ratio": schedule.ratio,
        "sizes": [list(s) for s in schedule.sizes],
        "config": config.to_dict(),
    }
    _write_json_atomic(os.path.join(model_dir, MANIFEST), manifest)


def write_scale(model_dir, n, generator, discriminator, noise_amp, size, z_rec=None):
    """Writes scale n completely, then renames it into place."""
    final = scale_dir(model_dir, n)
    partial = os.path.join(model_dir, f".scale_{n:02d}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    generator.save_weights(os.path.join(partial, "generator.weights.h5"))
    discriminator.save_weights(os.path.join(partial, "discriminator.weights.h5"))
    if z_rec is not None:
        np.save(os.path.join(partial, "z_rec.npy"), np.asarray(z_rec, np.float32))
    _write_json_atomic(os.path.join(partial, "scale.json"), {
        "noise_amp": float(noise_amp),
        "size": list(size),
        "nfc": generator.nfc,
        "min_nfc": generator.min_nfc,
        "num_layer": generator.num_layer,
        "ker_size": generator.kernel_size,
    })
    if os.path.exists(final):
        shutil.rmtree(final)
    os.rename(partial, final)


def read_manifest(model_dir):
    path = os.path.join(model_dir, MANIFEST)
    if not os.path.isdir(model_dir):
        raise ModelDirError(f"model_dir not found: {model_dir}")
    if not os.path.isfile(path):
        raise ModelDirError(f"not a singan_tf model directory (no {MANIFEST}): {model_dir}")
    try:
        with open(path) as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        raise ModelDirError(f"unreadable {path}: {e}") from e
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise ModelDirError(
            f"{path} is format {manifest.get('format')!r} version {manifest.get('version')!r}; "
            f"this singan_tf reads {FORMAT!r} version {VERSION}")
    return manifest


def trained_scales(model_dir):
    """How many consecutive scales, from 0, are complete on disk."""
    n = 0
    while os.path.isfile(os.path.join(scale_dir(model_dir, n), "scale.json")):
        n += 1
    return n


def load(model_dir):
    """Loads the trained scales of `model_dir` as a SinGAN, plus its manifest."""
    manifest = read_manifest(model_dir)
    count = trained_scales(model_dir)
    if count == 0:
        raise ModelDirError(f"model_dir holds no trained scale yet: {model_dir}")
    try:
        z_rec = np.load(os.path.join(scale_dir(model_dir, 0), "z_rec.npy"), allow_pickle=False)
        model = SinGAN(manifest["ratio"], z_rec)
        for n in range(count):
            meta, placeholder = _scale_meta(model_dir, n)
            generator = models.Generator(
                meta["nfc"], meta["min_nfc"], meta["num_layer"], meta["ker_size"])
            generator(placeholder, placeholder)
            generator.load_weights(os.path.join(scale_dir(model_dir, n), "generator.weights.h5"))
            model.add_scale(generator, meta["noise_amp"], tuple(meta["size"]))
    except (OSError, ValueError, KeyError) as e:
        raise ModelDirError(f"damaged model file in {model_dir}: {e}") from e
    return model, manifest


def load_discriminator(model_dir, n):
    """D_n of a saved model: what fine-tuning scale n starts from."""
    try:
        meta, placeholder = _scale_meta(model_dir, n)
        discriminator = models.Discriminator(
            meta["nfc"], meta["min_nfc"], meta["num_layer"], meta["ker_size"])
        discriminator(placeholder)
        discriminator.load_weights(
            os.path.join(scale_dir(model_dir, n), "discriminator.weights.h5"))
    except (OSError, ValueError, KeyError) as e:
        raise ModelDirError(f"damaged model file in {model_dir}: {e}") from e
    return discriminator


def _scale_meta(model_dir, n):
    """Scale n's scale.json and a zero image of its size (to build the networks)."""
    with open(os.path.join(scale_dir(model_dir, n), "scale.json")) as f:
        meta = json.load(f)
    h, w = meta["size"]
    return meta, np.zeros([1, h, w, 3], np.float32)


def _write_json_atomic(path, value):
    tmp_path = path + ".tmp"
    with open(tmp_path, "w") as f:
        json.dump(value, f, indent=2)
    os.replace(tmp_path, path)
