"""The model directory: everything needed to sample, with no pickles and no training image.

  model.json            format version, config, ratio, per-scale sizes, image
  scale_00/ ... scale_NN/
    scale.json          noise amplitude, size, network widths
    generator.weights.h5, discriminator.weights.h5
    z_rec.npy           (scale 0 only) the fixed reconstruction noise
  checkpoint.npz        the scale in training: weights, optimizer and RNG state
  logs/                 TensorBoard summaries

Every file is written through io.atomic (a scale as a whole folder), so a crash
at any moment leaves either the old or the new version, never a half-written
one that loading accepts.
"""

import json
import os
import shutil

from absl import logging
import numpy as np

from singan_tf import models
from singan_tf.config import TrainConfig
from singan_tf.errors import ConfigError, ModelDirError
from singan_tf.io import atomic, lock
from singan_tf.singan import SinGAN

FORMAT = "singan_tf.model"
VERSION = 1
MANIFEST = "model.json"
CHECKPOINT = "checkpoint.npz"


class ModelDir:
    """One model directory on disk: written scale by scale by training, read by everything else."""

    def __init__(self, path):
        self.path = path

    def __repr__(self):
        return f"ModelDir({self.path!r})"

    @property
    def logs(self):
        return os.path.join(self.path, "logs")

    def scale_path(self, n):
        return os.path.join(self.path, f"scale_{n:02d}")

    def _file(self, name):
        return os.path.join(self.path, name)

    # Creating and describing the run.

    def lock(self, wait=False):
        """Held for the life of a run that writes here or reads what a writer may replace
        (training, resuming, fine-tuning): a second run is refused, naming the holder, or
        waits for the first to end (`wait`)."""
        if os.path.exists(self.path) and not os.path.isdir(self.path):
            raise ModelDirError(f"model_dir is a file, not a directory: {self.path}")
        return lock.exclusive(self.path, wait)

    def prepare(self, overwrite=False):
        """Creates the folder, refusing one that already holds a model unless `overwrite`."""
        if os.path.exists(self.path) and not os.path.isdir(self.path):
            raise ModelDirError(f"model_dir is a file, not a directory: {self.path}")
        atomic.check_writable_dir(self.path)
        try:
            os.makedirs(self.path, exist_ok=True)
        except OSError as e:
            raise atomic.write_error(self.path, e) from e
        entries = [e for e in os.listdir(self.path) if e in (MANIFEST, CHECKPOINT)
                   or e.startswith(("scale_", ".partial.scale_", ".old.scale_"))]
        if entries and not overwrite:
            raise ModelDirError(
                f"model_dir already holds a model: {self.path} (pass --overwrite to replace it)")
        for entry in entries:
            target = self._file(entry)
            shutil.rmtree(target) if os.path.isdir(target) else os.remove(target)

    def has_manifest(self):
        return os.path.isfile(self._file(MANIFEST))

    def write_manifest(self, config, schedule, image_path):
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "image": os.path.abspath(image_path) if image_path else "",
            "image_scale": schedule.image_scale,
            "ratio": schedule.ratio,
            "sizes": [list(s) for s in schedule.sizes],
            "config": config.to_dict(),
        }
        _write_json(self._file(MANIFEST), manifest)

    def read_manifest(self):
        path = self._file(MANIFEST)
        if not os.path.isdir(self.path):
            raise ModelDirError(f"model_dir not found: {self.path}")
        if not os.path.isfile(path):
            raise ModelDirError(f"not a singan_tf model directory (no {MANIFEST}): {self.path}")
        try:
            with open(path) as f:
                manifest = json.load(f)
        except (OSError, ValueError) as e:
            raise ModelDirError(f"unreadable {path}: {e}") from e
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise ModelDirError(
                f"{path} is format {manifest.get('format')!r} version "
                f"{manifest.get('version')!r}; this singan_tf reads {FORMAT!r} version {VERSION}")
        return manifest

    def resumed_run(self, given, image_path=None):
        """(config, image path) of the interrupted run here; `given` config values (by name,
        as the user passed them) must not contradict the saved ones."""
        manifest = self.read_manifest()
        config = TrainConfig.from_dict(manifest["config"])
        for name, value in given.items():
            saved = getattr(config, name)
            if value != saved:
                raise ConfigError(f"--{name}={value} differs from the run being resumed in "
                                  f"{self.path} ({name}={saved}): resuming keeps the saved config")
        return config, image_path or manifest["image"]

    # Scales.

    def trained_scales(self):
        """How many consecutive scales, from 0, are complete on disk."""
        n = 0
        while os.path.isfile(os.path.join(self.scale_path(n), "scale.json")):
            n += 1
        return n

    def is_complete(self):
        """Whether every scale the manifest plans is trained (an interrupted run is not)."""
        return self.has_manifest() and \
            self.trained_scales() == len(self.read_manifest()["sizes"])

    def write_scale(self, n, generator, discriminator, noise_amp, size, z_rec=None):
        """Writes scale n completely, then renames it into place; drops its checkpoint."""
        with atomic.replacing_dir(self.scale_path(n)) as folder:
            _save_weights(generator, os.path.join(folder, "generator.weights.h5"))
            _save_weights(discriminator, os.path.join(folder, "discriminator.weights.h5"))
            if z_rec is not None:
                np.save(os.path.join(folder, "z_rec.npy"), np.asarray(z_rec, np.float32))
            _write_json(os.path.join(folder, "scale.json"), {
                "noise_amp": float(noise_amp),
                "size": list(size),
                "nfc": generator.nfc,
                "min_nfc": generator.min_nfc,
                "num_layer": generator.num_layer,
                "ker_size": generator.kernel_size,
                "noise_padding": generator.noise_padding,
            })
        if self.checkpoint(n).load() is not None:  # superseded by the complete scale
            os.remove(self._file(CHECKPOINT))

    def update_generator(self, n, generator):
        """Replaces G_n of a complete scale n (concurrent training changed it).

        The scale stays complete throughout. The scale above is written after
        this, so a crash in between resumes it from its checkpoint, which holds
        these weights (and the noise amplitude) as they were then.
        """
        _save_weights(generator, os.path.join(self.scale_path(n), "generator.weights.h5"))

    def checkpoint(self, n):
        """The checkpoint of scale n while it trains (what fit_scale saves and restores)."""
        return Checkpoint(self._file(CHECKPOINT), n)

    # Loading.

    def load(self, warn_if_partial=False):
        """The trained scales as a SinGAN, plus the manifest."""
        manifest = self.read_manifest()
        count = self.trained_scales()
        if count == 0:
            raise ModelDirError(f"model_dir holds no trained scale yet: {self.path}")
        if warn_if_partial and count < len(manifest["sizes"]):
            logging.warning("%s holds %d of the %d scales planned (an unfinished run): using "
                            "the trained ones", self.path, count, len(manifest["sizes"]))
        try:
            z_rec = np.load(os.path.join(self.scale_path(0), "z_rec.npy"), allow_pickle=False)
            margin = TrainConfig.from_dict(manifest["config"]).noise_margin
            model = SinGAN(manifest["ratio"], z_rec, margin)
            for n in range(count):
                generator, meta = self._load_network(n, models.Generator)
                model.add_scale(generator, meta["noise_amp"], meta["size"])
        except (OSError, ValueError, KeyError) as e:
            raise ModelDirError(f"damaged model file in {self.path}: {e}") from e
        return model, manifest

    def load_discriminator(self, n):
        """D_n, which fine-tuning and resuming warm-start from."""
        try:
            return self._load_network(n, models.Discriminator)[0]
        except (OSError, ValueError, KeyError) as e:
            raise ModelDirError(f"damaged model file in {self.path}: {e}") from e

    def _load_network(self, n, cls):
        with open(os.path.join(self.scale_path(n), "scale.json")) as f:
            meta = json.load(f)
        widths = (meta["nfc"], meta["min_nfc"], meta["num_layer"], meta["ker_size"])
        if cls is models.Generator:
            network = cls(*widths, noise_padding=meta.get("noise_padding", False))
        else:
            network = cls(*widths)
        network.build_at(meta["size"])
        kind = "generator" if cls is models.Generator else "discriminator"
        network.load_weights(os.path.join(self.scale_path(n), f"{kind}.weights.h5"))
        return network, meta


class Checkpoint:
    """The saved training state of one scale: named numpy arrays in one .npz file."""

    def __init__(self, path, scale):
        self.path, self.scale = path, scale

    def save(self, arrays):
        """Replaces the checkpoint (whatever scale it was of) with scale `scale`'s `arrays`."""
        with atomic.open_replacing(self.path, "wb") as f:
            np.savez(f, scale=np.int64(self.scale), **arrays)

    def load(self):
        """The saved arrays, or None when there is no checkpoint of this scale."""
        if not os.path.isfile(self.path):
            return None
        try:
            with np.load(self.path, allow_pickle=False) as data:
                if int(data["scale"]) != self.scale:
                    return None
                return {k: data[k] for k in data.files if k != "scale"}
        except (OSError, ValueError, KeyError) as e:
            raise ModelDirError(f"damaged checkpoint {self.path}: {e}") from e


def _save_weights(network, path):
    """Keras' weights file, written atomically. h5py reports a failed write (a full disk) as a
    RuntimeError when it closes the file; it becomes a WriteError too."""
    with atomic.replacing(path) as tmp:
        try:
            network.save_weights(tmp)
        except RuntimeError as e:
            raise atomic.write_error(path, e) from e


def _write_json(path, value):
    with atomic.open_replacing(path) as f:
        json.dump(value, f, indent=2)
