"""Training a SinGAN, coarse to fine: every scale's game, checkpoints, summaries and progress.

`train` runs one ScaleTrainer per scale on top of the scales already trained,
writing each scale to the model directory when it is done. `fit_scale` runs
one trainer to the end: it saves a checkpoint every `checkpoint_every`
iterations and on a stop request, and goes back to the last checkpoint with
halved learning rates when a loss turns NaN or Inf.
"""

import contextlib
import gc
import math
import time

from absl import logging
import keras
import tensorflow as tf

from singan_tf import models, pyramid
from singan_tf.errors import ModelDirError, TrainingDiverged, TrainingInterrupted, WriteError
from singan_tf.io import atomic
from singan_tf.progress import ProgressBar
from singan_tf.singan import SinGAN
from singan_tf.training.step import ScaleTrainer, scale_seed


def fit_scale(trainer, niter, checkpoint, on_metrics=None, checkpoint_every=100,
              max_retries=3, stop_requested=lambda: False):
    """Runs `trainer` up to `niter` iterations; `checkpoint` saves and loads its state.

    A NaN or Inf loss restores the last checkpoint and halves the learning
    rates, at most `max_retries` times. When `stop_requested()` turns true
    (graceful_stop) or a KeyboardInterrupt comes, it saves a checkpoint and
    raises TrainingInterrupted.
    """
    retries = 0
    try:
        while trainer.iteration < niter:
            if stop_requested():
                raise KeyboardInterrupt  # handled below, as a Ctrl-C between iterations
            metrics = {k: float(v) for k, v in trainer.train_iteration().items()}
            if not all(math.isfinite(v) for v in metrics.values()):
                retries += 1
                if retries > max_retries:
                    raise TrainingDiverged(
                        f"scale {trainer.scale} diverged (non-finite loss {metrics}) "
                        f"{max_retries} times, even with lowered learning rates; the model "
                        f"directory keeps the scales trained before it")
                failed_at, factor = trainer.iteration, float(trainer.lr_factor) / 2
                trainer.restore(checkpoint.load())
                trainer.lr_factor.assign(factor)
                logging.warning("scale %d: non-finite loss at iteration %d; restored the "
                                "checkpoint of iteration %d, learning rates x%g",
                                trainer.scale, failed_at, trainer.iteration, factor)
                continue
            if on_metrics:
                on_metrics(trainer.iteration - 1, metrics)
            if trainer.iteration % checkpoint_every == 0 and trainer.iteration < niter:
                checkpoint.save(trainer.state())
    except KeyboardInterrupt:
        checkpoint.save(trainer.state())
        raise TrainingInterrupted(
            f"training interrupted at scale {trainer.scale}, iteration {trainer.iteration}: "
            f"checkpoint saved, continue with --resume") from None


def train(image, config, model_dir, image_path="", progress=True, log_every=10,
          checkpoint_every=100, resume=False, schedule=None, stop_requested=lambda: False):
    """Trains a SinGAN on `image` ([H, W, 3] in [-1, 1]), writing `model_dir` scale by scale.

    `model_dir` (an io.model_dir.ModelDir) must have been prepared, or hold an
    interrupted run of the same image and config when `resume`. `schedule`
    overrides the one computed from `config` (super-resolution rounds it
    differently). `stop_requested()` is read between iterations (fit_scale).
    Returns the SinGAN.
    """
    schedule = schedule or pyramid.make_schedule(
        image.shape[0], image.shape[1], config.min_size, config.max_size, config.scale_factor)
    reals = pyramid.build_pyramid(image, schedule)
    margin = config.noise_margin
    h, w = schedule.sizes[0]
    z_rec = tf.random.Generator.from_seed(config.seed).normal([1, h + 2 * margin,
                                                               w + 2 * margin, 1])
    model, previous = SinGAN(schedule.ratio, z_rec, margin), None
    if resume:
        model, previous = _load_progress(model_dir, schedule, model)
    else:
        model_dir.write_manifest(config, schedule, image_path)
    summaries = Summaries(model_dir.logs)
    n = model.num_scales
    try:
        for n in range(model.num_scales, schedule.num_scales):
            real = reals[n]
            generator, discriminator = scale_networks(n, config, schedule.sizes[n], previous)
            rng = tf.random.Generator.from_seed(scale_seed(config.seed, n))
            trainer = ScaleTrainer(model, real, generator, discriminator, config, rng)
            gc.collect()  # the previous scale's trainer: a reference cycle through its tf.function
            checkpoint = model_dir.checkpoint(n)
            state = checkpoint.load() if resume else None
            if state is not None:
                trainer.restore(state)
            else:
                checkpoint.save(trainer.state())  # the restore point of a divergence
            if progress:
                resumed = f", resumed at iteration {trainer.iteration}" if trainer.iteration else ""
                print(f"Scale {n}/{schedule.num_scales - 1}: {real.shape[1]}x{real.shape[2]}, "
                      f"{generator.nfc} channels, noise_amp {float(trainer.noise_amp):.4f}"
                      f"{resumed}", flush=True)
            bar = ProgressBar(config.niter, enabled=progress, unit="iter")

            def on_metrics(i, metrics):
                bar.update(i + 1, metrics)
                if i % log_every == 0 or i + 1 == config.niter:
                    summaries.losses(n, i, metrics)

            start = time.time()
            fit_scale(trainer, config.niter, checkpoint, on_metrics=on_metrics,
                      checkpoint_every=checkpoint_every, stop_requested=stop_requested)
            trainer.freeze()
            if n == 0:  # redrawn in training when config.redraw_z_rec
                z_rec = tf.convert_to_tensor(trainer.z_rec)
                model = SinGAN(schedule.ratio, z_rec, margin)
            noise_amp = float(trainer.noise_amp)
            for k in range(trainer.first, n):  # before scale n: see ModelDir.update_generator
                model_dir.update_generator(k, model.generators[k])
            model_dir.write_scale(n, generator, discriminator, noise_amp, schedule.sizes[n],
                                  z_rec=z_rec if n == 0 else None)
            model.add_scale(generator, noise_amp, schedule.sizes[n])
            summaries.scale_done(model, trainer, n, time.time() - start)
            previous = (generator, discriminator)
    except WriteError as e:
        raise WriteError(f"{e}; training stopped at scale {n}, with the completed scales and "
                         f"the last checkpoint intact: continue with --resume once it can be "
                         f"written") from e
    return model


def scale_networks(n, config, size, previous=None):
    """G_n and D_n for (h, w) = `size`, seeded from (seed, n), warm-started from
    `previous` = (G_{n-1}, D_{n-1}) when the widths match (as the official code)."""
    keras.utils.set_random_seed(scale_seed(config.seed, n))
    nfc, min_nfc = models.scale_channels(n, config.nfc, config.min_nfc, config.max_nfc)
    generator = models.Generator(nfc, min_nfc, config.num_layer, config.ker_size,
                                 config.noise_padding).build_at(size)
    discriminator = models.Discriminator(nfc, min_nfc, config.num_layer,
                                         config.ker_size).build_at(size)
    if previous is not None and (previous[0].nfc, previous[0].min_nfc) == (nfc, min_nfc):
        generator.set_weights(previous[0].get_weights())
        discriminator.set_weights(previous[1].get_weights())
    return generator, discriminator


def _load_progress(model_dir, schedule, untrained):
    """The complete scales of an interrupted run, and the networks to warm-start from."""
    manifest = model_dir.read_manifest()
    if [tuple(s) for s in manifest["sizes"]] != list(schedule.sizes):
        raise ModelDirError(f"cannot resume {model_dir.path}: it was trained on an image of "
                            f"another size (scales {manifest['sizes']})")
    if model_dir.trained_scales() == 0:
        return untrained, None
    model, _ = model_dir.load()
    n = model.num_scales - 1
    return model, (model.generators[n], model_dir.load_discriminator(n))


class Summaries:
    """TensorBoard: losses per scale, and after each scale its noise amplitude, time,
    learning-rate factor, the reconstruction and a few samples. A failed write (a full
    disk) is a WriteError naming the log folder."""

    def __init__(self, logs):
        self.logs = logs
        with self._writing():
            self.writer = tf.summary.create_file_writer(logs)

    @contextlib.contextmanager
    def _writing(self):
        try:
            yield
        except tf.errors.OpError as e:
            raise atomic.write_error(self.logs, e) from e

    def losses(self, n, i, metrics):
        with self._writing(), self.writer.as_default():
            for name, value in metrics.items():
                tf.summary.scalar(f"scale_{n:02d}/{name}", value, step=i)

    def scale_done(self, model, trainer, n, seconds):
        samples = tf.concat([model.generate(model.seeded_noise(seed)) for seed in range(4)], 0)
        with self._writing():
            with self.writer.as_default():
                tf.summary.scalar("noise_amp", float(trainer.noise_amp), step=n)
                tf.summary.scalar("seconds_per_scale", seconds, step=n)
                tf.summary.scalar("lr_factor", float(trainer.lr_factor), step=n)
                tf.summary.image("reconstruction", (model.reconstruct() + 1) / 2, step=n)
                tf.summary.image("samples", (samples + 1) / 2, step=n, max_outputs=4)
            self.writer.flush()
