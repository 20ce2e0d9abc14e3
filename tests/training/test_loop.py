"""The run over the scales: checkpoints, divergence, interruption, warm starts, what is written."""

import os

import numpy as np
import pytest
import tensorflow as tf

from singan_tf import losses, pyramid, tf_compat
from singan_tf.config import TrainConfig
from singan_tf.errors import TrainingDiverged, TrainingInterrupted
from singan_tf.io.model_dir import ModelDir
from singan_tf.training import loop


class Factor:
    """Stands for the learning-rate factor variable."""

    def __init__(self):
        self.value = 1.0

    def assign(self, value):
        self.value = value

    def __float__(self):
        return self.value


class ScriptedTrainer:
    """A trainer whose losses follow a script: fit_scale's view of a ScaleTrainer."""

    scale = 2

    def __init__(self, losses=()):
        self.iteration, self.losses, self.lr_factor = 0, list(losses), Factor()

    def train_iteration(self):
        self.iteration += 1
        return {"loss_d": tf.constant(self.losses.pop(0) if self.losses else 1.0)}

    def state(self):
        return {"iteration": self.iteration}

    def restore(self, state):
        self.iteration = state["iteration"]


class MemoryCheckpoint:
    def __init__(self, trainer):
        self.saved, self.loads = [trainer.state()], 0

    def save(self, state):
        self.saved.append(state)

    def load(self):
        self.loads += 1
        return self.saved[-1]


def test_checkpoints_every_n_iterations_but_not_after_the_last():
    trainer = ScriptedTrainer()
    checkpoint = MemoryCheckpoint(trainer)
    loop.fit_scale(trainer, 10, checkpoint, checkpoint_every=4)
    assert [s["iteration"] for s in checkpoint.saved] == [0, 4, 8]
    assert trainer.iteration == 10


def test_divergence_restores_the_checkpoint_and_lowers_the_rate():
    trainer = ScriptedTrainer([1.0] * 5 + [float("nan")])
    checkpoint = MemoryCheckpoint(trainer)
    loop.fit_scale(trainer, 8, checkpoint, checkpoint_every=2)
    assert checkpoint.loads == 1
    assert float(trainer.lr_factor) == 0.5
    assert trainer.iteration == 8
    # Iteration 6 failed: it went back to the checkpoint of iteration 4 and ran 5..8 again.
    assert [s["iteration"] for s in checkpoint.saved] == [0, 2, 4, 6]


def test_persistent_divergence_fails_with_a_clear_error():
    trainer = ScriptedTrainer([float("inf")] * 10)
    checkpoint = MemoryCheckpoint(trainer)
    with pytest.raises(TrainingDiverged, match="scale 2 diverged"):
        loop.fit_scale(trainer, 10, checkpoint, max_retries=2)
    assert checkpoint.loads == 2 and float(trainer.lr_factor) == 0.25


def test_interrupt_saves_a_checkpoint_and_says_how_to_resume():
    trainer = ScriptedTrainer()
    checkpoint = MemoryCheckpoint(trainer)

    def interrupt(i, metrics):
        if i == 2:
            raise KeyboardInterrupt

    with pytest.raises(TrainingInterrupted, match="scale 2, iteration 3: .*--resume"):
        loop.fit_scale(trainer, 5, checkpoint, on_metrics=interrupt)
    assert checkpoint.saved[-1] == {"iteration": 3}


def test_stop_request_finishes_the_iteration_and_saves_a_checkpoint():
    trainer = ScriptedTrainer()
    checkpoint = MemoryCheckpoint(trainer)
    requested = []
    with pytest.raises(TrainingInterrupted, match="iteration 1: .*--resume"):
        loop.fit_scale(trainer, 5, checkpoint, on_metrics=lambda i, m: requested.append(i),
                       stop_requested=lambda: bool(requested))
    assert trainer.iteration == 1 and checkpoint.saved[-1] == {"iteration": 1}


def test_warm_start_copies_the_previous_scale_when_widths_match(tiny_config):
    g0, d0 = loop.scale_networks(0, tiny_config, (21, 21))
    g1, d1 = loop.scale_networks(1, tiny_config, (24, 24), (g0, d0))
    for a, b in zip(g0.get_weights() + d0.get_weights(), g1.get_weights() + d1.get_weights()):
        np.testing.assert_array_equal(a, b)
    # Scale 4 doubles the width: a fresh start.
    g4, _ = loop.scale_networks(4, tiny_config, (24, 24), (g1, d1))
    assert g4.nfc == 64
    assert g4.get_weights()[0].shape != g1.get_weights()[0].shape


def test_train_writes_every_scale_and_tensorboard_summaries(trained_model_dir, trained_model):
    assert trained_model.num_scales == 4
    assert trained_model.sizes == [(21, 21), (24, 24), (28, 28), (32, 32)]
    events = os.listdir(os.path.join(trained_model_dir, "logs"))
    assert any(name.startswith("events.out.tfevents") for name in events)
    tags = set()
    for name in events:
        for event in tf.compat.v1.train.summary_iterator(
                os.path.join(trained_model_dir, "logs", name)):
            tags.update(v.tag for v in event.summary.value)
    assert {"scale_00/loss_d", "scale_03/rec", "noise_amp", "reconstruction", "samples"} <= tags


def test_reconstruction_approaches_the_training_image(trained_model, tiny_image):
    reconstruction = trained_model.reconstruct()[0].numpy()
    error = np.mean((reconstruction - tiny_image) ** 2)
    assert error < 0.5 * np.var(tiny_image)


CONCURRENT = TrainConfig(max_size=24, min_size=20, niter=3, seed=1, train_depth=2)


@pytest.fixture(scope="module")
def concurrent_run(tiny_image, tmp_path_factory):
    """One uninterrupted concurrent (train_depth 2) run of 3 scales, and what it left behind."""
    model_dir = ModelDir(str(tmp_path_factory.mktemp("concurrent")))
    model_dir.prepare()
    before = tf_compat.custom_gradient_names()
    model = loop.train(tiny_image[:24, :24], CONCURRENT, model_dir, progress=False)
    return model, model_dir, tf_compat.custom_gradient_names() - before


def test_concurrent_train_rewrites_the_lower_scales_on_disk(concurrent_run):
    model, model_dir, kept = concurrent_run
    assert not kept  # no scale's compiled step outlives the run (docs/performance.md, Memory)
    loaded, manifest = model_dir.load()
    assert manifest["config"]["train_depth"] == 2
    assert loaded.num_scales == model.num_scales == 3
    for a, b in zip(model.generators, loaded.generators):
        assert not a.trainable_variables
        for wa, wb in zip(a.weights, b.weights):
            np.testing.assert_array_equal(wa.numpy(), wb.numpy())


def test_concurrent_run_interrupted_after_rewriting_lower_scales_resumes_exactly(
        concurrent_run, tiny_image, tmp_path, monkeypatch):
    """Ctrl-C after the lower scales were rewritten but before scale 2 is: the resumed run
    ends with the uninterrupted run's model (the checkpoint restores the lower weights and
    the noise amplitude computed from them)."""
    uninterrupted = concurrent_run[0]
    model_dir = ModelDir(str(tmp_path / "b"))
    model_dir.prepare()
    write_scale = ModelDir.write_scale

    def interrupted_write_scale(self, n, *args, **kwargs):
        if n == 2:
            raise KeyboardInterrupt
        return write_scale(self, n, *args, **kwargs)

    monkeypatch.setattr(ModelDir, "write_scale", interrupted_write_scale)
    with pytest.raises(KeyboardInterrupt):
        loop.train(tiny_image[:24, :24], CONCURRENT, model_dir, progress=False)
    monkeypatch.undo()
    assert model_dir.trained_scales() == 2
    resumed = loop.train(tiny_image[:24, :24], CONCURRENT, model_dir, progress=False,
                         resume=True)
    assert resumed.noise_amps == uninterrupted.noise_amps
    for seed in range(2):
        np.testing.assert_array_equal(resumed.generate(resumed.seeded_noise(seed)).numpy(),
                                      uninterrupted.generate(uninterrupted.seeded_noise(seed)).numpy())


def test_a_redrawn_reconstruction_noise_is_saved_and_reconstructed_from(tiny_image, tmp_path):
    """With redraw_z_rec the model keeps the last z_rec that scale 0 trained on, and the
    noise amplitudes above it come from the reconstruction with that one."""
    config = TrainConfig(max_size=24, min_size=20, niter=3, seed=1, redraw_z_rec=True)
    model_dir = ModelDir(str(tmp_path))
    model_dir.prepare()
    trained = loop.train(tiny_image[:24, :24], config, model_dir, progress=False)
    loaded, _ = model_dir.load()
    h, w = loaded.sizes[0]
    seeded = tf.random.Generator.from_seed(config.seed).normal([1, h, w, 1])
    assert not np.allclose(loaded.z_rec.numpy(), seeded.numpy())
    np.testing.assert_array_equal(loaded.z_rec.numpy(), trained.z_rec.numpy())
    schedule = pyramid.make_schedule(24, 24, config.min_size, config.max_size,
                                     config.scale_factor)
    real_1 = pyramid.build_pyramid(tiny_image[:24, :24], schedule)[1]
    coarsest = loaded.coarsest(1)
    upsampled = coarsest.upsample(coarsest.reconstruct(), loaded.sizes[1])
    rmse = np.sqrt(float(losses.reconstruction_loss(upsampled, real_1)))
    assert loaded.noise_amps[1] == pytest.approx(0.1 * rmse, rel=1e-4)
