"""Training: the schedule of rates, noise amplitudes, warm starts, and that it learns."""

import gc
import os
import weakref

import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import custom_gradients
from singan_tf import imageio, losses, pyramid, trainer
from singan_tf.config import TrainConfig
from singan_tf.singan import SinGAN


def test_learning_rate_drops_by_gamma_at_the_milestone_iteration():
    config = TrainConfig(lr_milestone=1600, gamma=0.1)
    optimizer = trainer.adam(5e-4, config, steps_per_iteration=3)
    schedule = optimizer._learning_rate
    assert float(schedule(1600 * 3 - 1)) == pytest.approx(5e-4)  # last step of iteration 1599
    assert float(schedule(1600 * 3)) == pytest.approx(5e-5)  # first step of iteration 1600
    assert optimizer.beta_1 == 0.5 and optimizer.beta_2 == 0.999


def test_lean_graph_rewrites_are_off_inside_and_the_callers_options_come_back():
    before = tf.config.optimizer.get_experimental_options()
    tf.config.optimizer.set_experimental_options({"arithmetic_optimization": False})
    try:
        with trainer.lean_graph_rewrites():
            inside = tf.config.optimizer.get_experimental_options()
        after = tf.config.optimizer.get_experimental_options()
    finally:
        tf.config.optimizer.set_experimental_options(
            {k: before.get(k, True) for k in ("constant_folding", "arithmetic_optimization")})
    assert not inside["constant_folding"] and not inside["arithmetic_optimization"]
    assert after["constant_folding"] and not after["arithmetic_optimization"]


def test_a_compiled_step_is_freed_after_the_releasing_block():
    """Keras' optimizer.apply traces a tf.custom_gradient, and TF's gradient registry would
    keep the traced step (graph and captured tensors) to the end of the process."""
    variable = tf.Variable([1.0, 2.0])
    optimizer = keras.optimizers.Adam(0.1)
    optimizer.build([variable])
    with trainer.releasing_traced_gradients():
        step = tf.function(lambda: optimizer.apply([tf.constant([1.0, -1.0])], [variable]))
        step()
        graph = weakref.ref(step.get_concrete_function().graph)
    del step
    gc.collect()  # a graph is a reference cycle
    assert graph() is None
    np.testing.assert_allclose(variable.numpy(), [0.9, 2.1], rtol=1e-5)  # the step did run


@pytest.fixture(scope="module")
def coarsest(tiny_image):
    """A trainer for scale 0 of the tiny image and the pyramid of reals."""
    config = TrainConfig(max_size=32, min_size=20, niter=1, seed=5)
    schedule = pyramid.make_schedule(32, 32, config.min_size, config.max_size, config.scale_factor)
    reals = pyramid.build_pyramid(tiny_image, schedule)
    rng = tf.random.Generator.from_seed(config.seed)
    frozen = SinGAN(schedule.ratio, rng.normal([1, *schedule.sizes[0], 1]))
    generator, discriminator = trainer._networks(0, config, reals[0].shape, None)
    return trainer.ScaleTrainer(frozen, reals[0], generator, discriminator, config, rng), reals


def test_reconstruction_error_falls_during_training(coarsest):
    scale_trainer, _ = coarsest
    history = [float(scale_trainer.train_iteration()["rec"]) for _ in range(25)]
    assert np.mean(history[-5:]) < 0.5 * np.mean(history[:3])
    assert all(np.isfinite(history))


def test_coarsest_scale_uses_unit_noise_and_fixed_reconstruction_noise(coarsest):
    scale_trainer, _ = coarsest
    assert scale_trainer.noise_amp == 1.0
    assert scale_trainer.noise_shape[-1] == 1  # single channel, broadcast over RGB
    z_before = scale_trainer.z_rec.numpy().copy()
    scale_trainer.train_iteration()
    np.testing.assert_array_equal(scale_trainer.z_rec.numpy(), z_before)


def test_noise_amplitude_is_a_tenth_of_the_upsampled_reconstruction_rmse(
        trained_model, tiny_image_path, tiny_config):
    schedule = pyramid.make_schedule(32, 32, tiny_config.min_size, tiny_config.max_size,
                                     tiny_config.scale_factor)
    reals = pyramid.build_pyramid(imageio.load_image(tiny_image_path), schedule)
    for n in range(1, trained_model.num_scales):
        lower = trained_model.coarsest(n)
        images = lower.upsample(lower.reconstruct(), trained_model.sizes[n])
        rmse = np.sqrt(float(losses.reconstruction_loss(images, reals[n])))
        assert trained_model.noise_amps[n] == pytest.approx(0.1 * rmse, rel=1e-4)


def test_lower_sample_is_fresh_for_every_critic_step(trained_model, tiny_image, tiny_config):
    schedule = pyramid.make_schedule(32, 32, 20, 32, 0.75)
    real = pyramid.build_pyramid(tiny_image, schedule)[-1]
    generator, discriminator = trainer._networks(3, tiny_config, real.shape, None)
    scale_trainer = trainer.ScaleTrainer(trained_model.coarsest(3), real, generator, discriminator, tiny_config,
                                         tf.random.Generator.from_seed(0))
    first, second = (scale_trainer.lower_chain(*scale_trainer.random_base()) for _ in range(2))
    assert first.shape == (1, 32, 32, 3)
    assert float(tf.reduce_max(tf.abs(first - second))) > 1e-4


def test_warm_start_copies_the_previous_scale_when_widths_match(tiny_config):
    g0, d0 = trainer._networks(0, tiny_config, (1, 21, 21, 3), None)
    g1, d1 = trainer._networks(1, tiny_config, (1, 24, 24, 3), (g0, d0))
    for a, b in zip(g0.get_weights() + d0.get_weights(), g1.get_weights() + d1.get_weights()):
        np.testing.assert_array_equal(a, b)
    # Scale 4 doubles the width: a fresh start.
    g4, _ = trainer._networks(4, tiny_config, (1, 24, 24, 3), (g1, d1))
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


def poison_once(scale_trainer, at_call):
    """Makes the generator's weights NaN just before the `at_call`-th iteration."""
    original, calls = scale_trainer.train_iteration, [0]

    def iteration():
        calls[0] += 1
        if calls[0] == at_call:
            kernel = scale_trainer.generator.weights[0]
            kernel.assign(tf.fill(kernel.shape, float("nan")))
        return original()

    scale_trainer.train_iteration = iteration


def in_memory_checkpoints(scale_trainer):
    saved, loads = [scale_trainer.state()], []
    return saved, loads, dict(save_checkpoint=saved.append,
                              load_checkpoint=lambda: loads.append(1) or saved[-1])


def test_divergence_restores_the_checkpoint_and_lowers_the_rate(coarsest):
    scale_trainer, _ = coarsest
    scale_trainer.restore(scale_trainer.state())  # keep earlier tests' progress; any start works
    start = scale_trainer.iteration
    saved, loads, checkpoints = in_memory_checkpoints(scale_trainer)
    poison_once(scale_trainer, at_call=4)
    trainer.fit_scale(scale_trainer, start + 8, checkpoint_every=2, **checkpoints)
    assert loads == [1]
    assert float(scale_trainer.lr_factor) == 0.5
    assert scale_trainer.iteration == start + 8
    assert all(np.all(np.isfinite(w.numpy())) for w in scale_trainer.generator.weights)


def test_persistent_divergence_fails_with_a_clear_error(coarsest):
    from singan_tf.errors import TrainingDiverged
    scale_trainer, _ = coarsest
    saved, loads, checkpoints = in_memory_checkpoints(scale_trainer)
    original = scale_trainer.train_iteration
    scale_trainer.train_iteration = lambda: {**original(), "loss_d": tf.constant(float("inf"))}
    try:
        with pytest.raises(TrainingDiverged, match="diverged"):
            trainer.fit_scale(scale_trainer, scale_trainer.iteration + 10, max_retries=2,
                              **checkpoints)
    finally:
        scale_trainer.train_iteration = original
    assert len(loads) == 2


def test_interrupt_saves_a_checkpoint_and_says_how_to_resume(coarsest):
    from singan_tf.errors import TrainingInterrupted
    scale_trainer, _ = coarsest
    saved, _, checkpoints = in_memory_checkpoints(scale_trainer)

    def interrupt(i, metrics):
        raise KeyboardInterrupt

    with pytest.raises(TrainingInterrupted, match="--resume"):
        trainer.fit_scale(scale_trainer, scale_trainer.iteration + 5, on_metrics=interrupt,
                          **checkpoints)
    assert len(saved) == 2
    np.testing.assert_array_equal(saved[-1]["g_0"], scale_trainer.generator.weights[0].numpy())


def test_state_round_trip_is_exact(coarsest):
    scale_trainer, _ = coarsest
    state = scale_trainer.state()
    scale_trainer.train_iteration()
    scale_trainer.restore(state)
    after = scale_trainer.state()
    assert state.keys() == after.keys()
    assert all(np.array_equal(state[k], after[k]) for k in state)


def test_training_repeats_bit_for_bit_from_a_state(coarsest):
    """What exact resuming rests on. A LeakyReLU differentiated through oneDNN's
    LeakyReluGrad once broke it: 4 to 8 repetitions of 10 iterations gave a second or
    third result in 4 tries of 6, so a single repetition would rarely catch it."""
    scale_trainer, _ = coarsest
    start = scale_trainer.state()
    results = []
    for _ in range(12):
        scale_trainer.restore(start)
        for _ in range(10):
            scale_trainer.train_iteration()
        results.append(scale_trainer.state())
    for result in results[1:]:
        assert all(np.array_equal(results[0][k], result[k]) for k in start)


def test_stop_request_saves_a_checkpoint_between_iterations(coarsest):
    from singan_tf.errors import TrainingInterrupted
    scale_trainer, _ = coarsest
    saved, _, checkpoints = in_memory_checkpoints(scale_trainer)
    start, requested = scale_trainer.iteration, []

    def request_stop(i, metrics):
        requested.append(i)

    with pytest.raises(TrainingInterrupted, match=f"iteration {start + 1}: .*--resume"):
        trainer.fit_scale(scale_trainer, start + 5, on_metrics=request_stop,
                          stop_requested=lambda: bool(requested), **checkpoints)
    assert scale_trainer.iteration == start + 1  # the iteration under way was finished
    assert len(saved) == 2
    np.testing.assert_array_equal(saved[-1]["g_0"], scale_trainer.generator.weights[0].numpy())


def concurrent_trainer(model_dir_path, image, tiny_config):
    """A train_depth 3 trainer for scale 3 over a private copy of the trained scales 0-2."""
    import dataclasses

    from singan_tf import model_dir
    model = model_dir.load(model_dir_path)[0].coarsest(3)  # not the shared fixture
    config = dataclasses.replace(tiny_config, train_depth=3)
    schedule = pyramid.make_schedule(32, 32, config.min_size, config.max_size, config.scale_factor)
    real = pyramid.build_pyramid(image, schedule)[3]
    generator, discriminator = trainer._networks(3, config, real.shape, None)
    return trainer.ScaleTrainer(model, real, generator, discriminator, config,
                                tf.random.Generator.from_seed(0)), model


@pytest.fixture(scope="module")
def concurrent(trained_model_dir, tiny_image, tiny_config):
    """One compiled concurrent trainer shared by the tests that run iterations."""
    return concurrent_trainer(trained_model_dir, tiny_image, tiny_config)


def test_concurrent_training_moves_lower_scales_at_scaled_rates(concurrent):
    """Adam moves a weight by about lr per step (a little more in its first steps), so the
    largest change of scale n-k over one iteration is near gsteps * lr_g * lr_scale**k."""
    scale_trainer, model = concurrent
    config = scale_trainer.config
    before = [[v.numpy() for v in g.trainable_variables] for g in model.generators]
    frozen_g0 = [w.numpy() for w in model.generators[0].weights]
    scale_trainer.train_iteration()
    for k, n in [(1, 2), (2, 1)]:
        change = max(float(np.max(np.abs(v.numpy() - b)))
                     for v, b in zip(model.generators[n].trainable_variables, before[n]))
        bound = config.gsteps * config.lr_g * config.lr_scale ** k
        assert 0.3 * bound < change < 2 * bound, (n, change, bound)
    for w, b in zip(model.generators[0].weights, frozen_g0):  # below the depth: frozen
        np.testing.assert_array_equal(w.numpy(), b)


def test_concurrent_state_holds_the_lower_scales(concurrent):
    scale_trainer, model = concurrent
    state = scale_trainer.state()
    assert {"lower0_0", "lower1_0", "opt_lower1_0", "noise_amp"} <= state.keys()
    first = [scale_trainer.train_iteration() for _ in range(2)][-1]
    weights = [w.numpy() for w in model.generators[2].weights]
    scale_trainer.restore(state)
    again = [scale_trainer.train_iteration() for _ in range(2)][-1]
    assert float(first["loss_g"]) == float(again["loss_g"])
    for w, b in zip(model.generators[2].weights, weights):
        np.testing.assert_array_equal(w.numpy(), b)


def test_freeze_ends_concurrent_training(trained_model_dir, tiny_image, tiny_config):
    scale_trainer, model = concurrent_trainer(trained_model_dir, tiny_image, tiny_config)
    assert model.generators[2].trainable_variables
    scale_trainer.freeze()
    assert not model.generators[1].trainable_variables
    assert not model.generators[2].trainable_variables


def test_concurrent_train_rewrites_the_lower_scales_on_disk(tiny_image, tmp_path):
    from singan_tf import model_dir
    config = TrainConfig(max_size=28, min_size=20, niter=3, seed=1, train_depth=2)
    path = str(tmp_path / "m")
    model_dir.prepare(path)
    before = custom_gradients()
    model = trainer.train(tiny_image[:28, :28], config, path, progress=False)
    assert custom_gradients() <= before  # no scale's compiled step is kept (README, Memory)
    loaded, manifest = model_dir.load(path)
    assert manifest["config"]["train_depth"] == 2
    assert loaded.num_scales == model.num_scales >= 2
    for a, b in zip(model.generators, loaded.generators):
        assert not a.trainable_variables
        for wa, wb in zip(a.weights, b.weights):
            np.testing.assert_array_equal(wa.numpy(), wb.numpy())


def test_concurrent_run_interrupted_after_rewriting_lower_scales_resumes_exactly(
        tiny_image, tmp_path, monkeypatch):
    """Ctrl-C after the lower scales were rewritten but before scale 2 is: the resumed run
    ends with the uninterrupted run's model (the checkpoint restores the lower weights and
    the noise amplitude computed from them)."""
    from singan_tf import model_dir
    config = TrainConfig(max_size=28, min_size=20, niter=3, seed=1, train_depth=2)
    image = tiny_image[:28, :28]
    model_dir.prepare(str(tmp_path / "a"))
    uninterrupted = trainer.train(image, config, str(tmp_path / "a"), progress=False)
    assert uninterrupted.num_scales >= 3

    write_scale, path = model_dir.write_scale, str(tmp_path / "b")

    def interrupted_write_scale(directory, n, *args, **kwargs):
        if n == 2:
            raise KeyboardInterrupt
        return write_scale(directory, n, *args, **kwargs)

    model_dir.prepare(path)
    monkeypatch.setattr(trainer.model_dir_lib, "write_scale", interrupted_write_scale)
    with pytest.raises(KeyboardInterrupt):
        trainer.train(image, config, path, progress=False)
    monkeypatch.undo()
    assert model_dir.trained_scales(path) == 2
    resumed = trainer.train(image, config, path, progress=False, resume=True)
    assert resumed.noise_amps == uninterrupted.noise_amps
    for seed in range(2):
        np.testing.assert_array_equal(resumed.generate(resumed.seeded_noise(seed)).numpy(),
                                      uninterrupted.generate(uninterrupted.seeded_noise(seed)).numpy())
