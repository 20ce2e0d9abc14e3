"""The model directory: everything needed to sample, with no pickles and no training image.

  model.json            format version, config, ratio, per-scale sizes, image
  scale_00/ ... scale_NN/
    scale.json          noise amplitude, size, network widths
    generator.weights.h5, discriminator.weights.h5
    z_rec.npy           (scale 0 only) the fixed reconstruction noise
  checkpoint.npz        the scale in training: weights, optimizer and RNG state
  logs/                 TensorBoard summaries

Every file is written under a temporary name and renamed into place when
complete (a scale as a whole folder), so a crash at any moment leaves either
the old or the new version, never a half-written one that loading accepts.
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
CHECKPOINT = "checkpoint.npz"


def scale_dir(model_dir, n):
    return os.path.join(model_dir, f"scale_{n:02d}")


def prepare(model_dir, overwrite=False):
    """Creates `model_dir`, refusing one that already holds a model unless `overwrite`."""
    if os.path.exists(model_dir) and not os.path.isdir(model_dir):
        raise ModelDirError(f"model_dir is a file, not a directory: {model_dir}")
    os.makedirs(model_dir, exist_ok=True)
    entries = [e for e in os.listdir(model_dir)
               if e in (MANIFEST, CHECKPOINT) or e.startswith(("scale_", ".scale_"))]
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
    if read_checkpoint(model_dir, n) is not None:  # superseded by the complete scale
        os.remove(os.path.join(model_dir, CHECKPOINT))


def update_generator(model_dir, n, generator):
    """Replaces G_n of a complete scale n (concurrent training changed it) atomically.

    The scale stays complete throughout. The scale above is written after
    this, so a crash in between resumes it from its checkpoint, which holds
    these weights (and the noise amplitude) as they were then.
    """
    path = os.path.join(scale_dir(model_dir, n), "generator.weights.h5")
    tmp_path = os.path.join(scale_dir(model_dir, n), ".generator.tmp.weights.h5")
    generator.save_weights(tmp_path)
    os.replace(tmp_path, path)


def write_checkpoint(model_dir, n, arrays):
    """Saves the training state of scale n (named arrays), replacing the previous checkpoint."""
    path = os.path.join(model_dir, CHECKPOINT)
    with open(path + ".tmp", "wb") as f:
        np.savez(f, scale=np.int64(n), **arrays)
    os.replace(path + ".tmp", path)


def read_checkpoint(model_dir, n):
    """The saved training state of scale n, or None when there is none for that scale."""
    path = os.path.join(model_dir, CHECKPOINT)
    if not os.path.isfile(path):
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            if int(data["scale"]) != n:
                return None
            return {k: data[k] for k in data.files if k != "scale"}
    except (OSError, ValueError, KeyError) as e:
        raise ModelDirError(f"damaged checkpoint {path}: {e}") from e


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
            generator, meta = _load_network(model_dir, n, "generator")
            model.add_scale(generator, meta["noise_amp"], meta["size"])
    except (OSError, ValueError, KeyError) as e:
        raise ModelDirError(f"damaged model file in {model_dir}: {e}") from e
    return model, manifest


def load_discriminator(model_dir, n):
    """D_n, which fine-tuning and resuming warm-start from."""
    try:
        return _load_network(model_dir, n, "discriminator")[0]
    except (OSError, ValueError, KeyError) as e:
        raise ModelDirError(f"damaged model file in {model_dir}: {e}") from e


def _load_network(model_dir, n, kind):
    with open(os.path.join(scale_dir(model_dir, n), "scale.json")) as f:
        meta = json.load(f)
    cls = models.Generator if kind == "generator" else models.Discriminator
    network = cls(meta["nfc"], meta["min_nfc"], meta["num_layer"], meta["ker_size"])
    placeholder = np.zeros([1, *meta["size"], 3], np.float32)
    network(placeholder, placeholder) if kind == "generator" else network(placeholder)
    network.load_weights(os.path.join(scale_dir(model_dir, n), f"{kind}.weights.h5"))
    return network, meta


def _write_json_atomic(path, value):
    tmp_path = path + ".tmp"
    with open(tmp_path, "w") as f:
        json.dump(value, f, indent=2)
    os.replace(tmp_path, path)
