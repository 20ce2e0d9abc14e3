"""The compiled iteration of one scale: rates, noise, fresh samples, exact state, concurrency."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from singan_tf import losses, pyramid
from singan_tf.config import TrainConfig
from singan_tf.io import images
from singan_tf.io.model_dir import ModelDir
from singan_tf.singan import SinGAN
from singan_tf.training import step
from singan_tf.training.loop import scale_networks


def test_learning_rate_drops_by_gamma_at_the_milestone_iteration():
    config = TrainConfig(lr_milestone=1600, gamma=0.1)
    optimizer = step.adam(5e-4, config, steps_per_iteration=3)
    schedule = optimizer._learning_rate
    assert float(schedule(1600 * 3 - 1)) == pytest.approx(5e-4)  # last step of iteration 1599
    assert float(schedule(1600 * 3)) == pytest.approx(5e-5)  # first step of iteration 1600
    assert optimizer.beta_1 == 0.5 and optimizer.beta_2 == 0.999


@pytest.fixture(scope="module")
def coarsest_trainer(tiny_image):
    """A trainer for scale 0 of the tiny image, compiled once, and its initial state."""
    config = TrainConfig(max_size=32, min_size=20, niter=1, seed=5)
    schedule = pyramid.make_schedule(32, 32, config.min_size, config.max_size, config.scale_factor)
    real = pyramid.build_pyramid(tiny_image, schedule)[0]
    rng = tf.random.Generator.from_seed(config.seed)
    lower = SinGAN(schedule.ratio, rng.normal([1, *schedule.sizes[0], 1]))
    trainer = step.ScaleTrainer(lower, real, *scale_networks(0, config, schedule.sizes[0]),
                                config, rng)
    return trainer, trainer.state()


@pytest.fixture
def coarsest(coarsest_trainer):
    """The scale-0 trainer at its initial state, whatever earlier tests did with it."""
    trainer, initial = coarsest_trainer
    trainer.restore(initial)
    return trainer


def test_reconstruction_error_falls_during_training(coarsest):
    history = [float(coarsest.train_iteration()["rec"]) for _ in range(25)]
    assert np.mean(history[-5:]) < 0.5 * np.mean(history[:3])
    assert all(np.isfinite(history))


def test_coarsest_scale_uses_unit_noise_of_one_channel(coarsest):
    assert float(coarsest.noise_amp) == 1.0
    assert coarsest.noise_shape[-1] == 1  # single channel, broadcast over RGB


def test_the_reconstruction_noise_is_not_redrawn_by_training(trained_model, tiny_image_path,
                                                             tiny_config):
    """G_0 learned to map the one fixed z_rec to the image at scale 0: another draw of it
    reconstructs far worse. Redrawn every iteration (the official code's defect), no draw
    would be special."""
    schedule = pyramid.make_schedule(32, 32, tiny_config.min_size, tiny_config.max_size,
                                     tiny_config.scale_factor)
    real = pyramid.build_pyramid(images.load_image(tiny_image_path), schedule)[0].numpy()
    coarsest = trained_model.coarsest(1)
    z_rec = coarsest.reconstruction_noise()[0]
    fixed = np.mean((coarsest.generate([z_rec]).numpy() - real) ** 2)
    others = [np.mean((coarsest.generate([tf.random.stateless_normal(z_rec.shape, [seed, 9])])
                       .numpy() - real) ** 2) for seed in range(4)]
    assert fixed < 0.3 * np.mean(others)


def test_a_redrawn_reconstruction_noise_changes_every_iteration_and_is_state(tiny_image):
    """redraw_z_rec (the official code's way): each iteration reconstructs from a fresh z_rec,
    which a checkpoint holds, so a restored run draws and trains on the same ones."""
    config = TrainConfig(max_size=32, min_size=20, niter=1, seed=5, redraw_z_rec=True)
    schedule = pyramid.make_schedule(32, 32, config.min_size, config.max_size, config.scale_factor)
    real = pyramid.build_pyramid(tiny_image, schedule)[0]
    lower = SinGAN(schedule.ratio, np.zeros([1, *schedule.sizes[0], 1], np.float32))
    trainer = step.ScaleTrainer(lower, real, *scale_networks(0, config, schedule.sizes[0]),
                                config, tf.random.Generator.from_seed(config.seed))
    trainer.train_iteration()
    middle = trainer.state()
    trainer.train_iteration()
    end = trainer.state()
    assert not np.array_equal(middle["z_rec"], end["z_rec"])
    assert np.std(end["z_rec"]) == pytest.approx(1.0, abs=0.15)
    trainer.restore(middle)
    np.testing.assert_array_equal(trainer.z_rec.numpy(), middle["z_rec"])
    trainer.train_iteration()
    resumed = trainer.state()
    assert all(np.array_equal(resumed[k], end[k]) for k in end)


def test_noise_amplitude_is_a_tenth_of_the_upsampled_reconstruction_rmse(
        trained_model, tiny_image_path, tiny_config):
    schedule = pyramid.make_schedule(32, 32, tiny_config.min_size, tiny_config.max_size,
                                     tiny_config.scale_factor)
    reals = pyramid.build_pyramid(images.load_image(tiny_image_path), schedule)
    for n in range(1, trained_model.num_scales):
        lower = trained_model.coarsest(n)
        upsampled = lower.upsample(lower.reconstruct(), trained_model.sizes[n])
        rmse = np.sqrt(float(losses.reconstruction_loss(upsampled, reals[n])))
        assert trained_model.noise_amps[n] == pytest.approx(0.1 * rmse, rel=1e-4)


@pytest.fixture(scope="module")
def finest(trained_model, tiny_image, tiny_config):
    """A trainer for scale 3 on the trained scales 0-2."""
    schedule = pyramid.make_schedule(32, 32, 20, 32, 0.75)
    real = pyramid.build_pyramid(tiny_image, schedule)[-1]
    return step.ScaleTrainer(trained_model.coarsest(3), real,
                             *scale_networks(3, tiny_config, (32, 32)), tiny_config,
                             tf.random.Generator.from_seed(0))


def test_lower_sample_is_fresh_for_every_critic_step(finest):
    samples = finest.random_samples(step.stack_steps([finest.lower_noise() for _ in range(2)]))
    assert samples.shape == (2, 1, 32, 32, 3)
    assert float(tf.reduce_max(tf.abs(samples[0] - samples[1]))) > 1e-4


def test_the_critic_steps_samples_drawn_at_once_equal_samples_drawn_one_by_one(finest):
    """One batched call for all critic steps: each sample as its own call gives it, to
    float32 rounding (oneDNN may block a convolution's sums by batch size: about 1e-6 apart
    on AVX2 CPUs; a sample drawn from another step's noise is 0.1 or more apart)."""
    noises = [finest.lower_noise() for _ in range(3)]
    together = finest.random_samples(step.stack_steps(noises))
    for noise, sample in zip(noises, together):
        alone = finest.random_samples(step.stack_steps([noise]))[0]
        np.testing.assert_allclose(sample, alone, atol=1e-5, rtol=0)


def test_noise_amplitude_is_state(coarsest):
    """Restoring a state sets the amplitude the compiled step reads, at any time."""
    state = coarsest.state()
    assert state["noise_amp"] == 1.0
    first = coarsest.train_iteration()
    coarsest.restore({**state, "noise_amp": np.float32(0.0)})
    second = coarsest.train_iteration()  # the same iteration, without noise
    assert float(first["loss_d"]) != float(second["loss_d"])
    coarsest.restore(state)
    np.testing.assert_equal(float(coarsest.train_iteration()["loss_d"]), float(first["loss_d"]))


def test_state_round_trip_is_exact(coarsest):
    state = coarsest.state()
    coarsest.train_iteration()
    coarsest.restore(state)
    after = coarsest.state()
    assert state.keys() == after.keys()
    assert all(np.array_equal(state[k], after[k]) for k in state)


def test_training_repeats_bit_for_bit_from_a_state(coarsest):
    """What exact resuming rests on. A LeakyReLU differentiated through oneDNN's
    LeakyReluGrad once broke it: 4 to 8 repetitions of 10 iterations gave a second or
    third result in 4 tries of 6, so a single repetition would rarely catch it."""
    start = coarsest.state()
    results = []
    for _ in range(12):
        coarsest.restore(start)
        for _ in range(10):
            coarsest.train_iteration()
        results.append(coarsest.state())
    for result in results[1:]:
        assert all(np.array_equal(results[0][k], result[k]) for k in start)


def test_xla_iteration_matches_the_default_within_rounding(coarsest):
    """jit_compile runs the same steps on the same random numbers in one XLA program: the
    same bits every time, and after an iteration the default's losses and weight updates up
    to rounding (Adam's first steps move a weight by about lr whatever its gradient's size,
    so where a gradient is rounding-sized the updates may differ, and GAN training then
    amplifies such differences: a few iterations on, they are no longer small)."""
    config = dataclasses.replace(coarsest.config, jit_compile=True)
    xla = step.ScaleTrainer(coarsest.lower, coarsest.real,
                            *scale_networks(0, config, coarsest.size), config,
                            tf.random.Generator.from_seed(config.seed))
    start = coarsest.state()
    expected_losses = coarsest.train_iteration()
    expected = coarsest.state()
    results = []
    for _ in range(2):
        xla.restore(start)
        losses_out = xla.train_iteration()
        results.append(xla.state())
    for key, want in expected_losses.items():
        assert float(losses_out[key]) == pytest.approx(float(want), rel=1e-3, abs=1e-5), key
    for name in ("g_0", "d_0", "g_2", "d_2"):  # the first layers' kernels and biases
        np.testing.assert_array_equal(results[0][name], results[1][name])
        update = np.abs(expected[name] - start[name]).mean()
        difference = np.abs(results[0][name] - expected[name]).mean()
        assert difference < 0.1 * update, (name, difference, update)


@pytest.fixture(scope="module")
def concurrent_trainer(trained_model_dir, tiny_image, tiny_config):
    """A train_depth 3 trainer for scale 3 over a private copy of the trained scales 0-2."""
    model = ModelDir(trained_model_dir).load()[0].coarsest(3)
    config = dataclasses.replace(tiny_config, train_depth=3)
    schedule = pyramid.make_schedule(32, 32, config.min_size, config.max_size, config.scale_factor)
    real = pyramid.build_pyramid(tiny_image, schedule)[3]
    trainer = step.ScaleTrainer(model, real, *scale_networks(3, config, (32, 32)), config,
                                tf.random.Generator.from_seed(0))
    return trainer, trainer.state()


@pytest.fixture
def concurrent(concurrent_trainer):
    trainer, initial = concurrent_trainer
    trainer.restore(initial)
    return trainer


def test_concurrent_training_moves_lower_scales_at_scaled_rates(concurrent):
    """Adam moves a weight by about lr per step (a little more in its first steps), so the
    largest change of scale n-k over one iteration is near gsteps * lr_g * lr_scale**k."""
    model, config = concurrent.lower, concurrent.config
    before = [[v.numpy() for v in g.trainable_variables] for g in model.generators]
    frozen_g0 = [w.numpy() for w in model.generators[0].weights]
    concurrent.train_iteration()
    for k, n in [(1, 2), (2, 1)]:
        change = max(float(np.max(np.abs(v.numpy() - b)))
                     for v, b in zip(model.generators[n].trainable_variables, before[n]))
        bound = config.gsteps * config.lr_g * config.lr_scale ** k
        assert 0.3 * bound < change < 2 * bound, (n, change, bound)
    for w, b in zip(model.generators[0].weights, frozen_g0):  # below the depth: frozen
        np.testing.assert_array_equal(w.numpy(), b)


def test_concurrent_state_holds_the_lower_scales(concurrent):
    model = concurrent.lower
    state = concurrent.state()
    assert {"lower0_0", "lower1_0", "opt_lower1_0", "noise_amp"} <= state.keys()
    first = [concurrent.train_iteration() for _ in range(2)][-1]
    weights = [w.numpy() for w in model.generators[2].weights]
    concurrent.restore(state)
    again = [concurrent.train_iteration() for _ in range(2)][-1]
    assert float(first["loss_g"]) == float(again["loss_g"])
    for w, b in zip(model.generators[2].weights, weights):
        np.testing.assert_array_equal(w.numpy(), b)


def test_freeze_ends_concurrent_training(concurrent):
    model = concurrent.lower
    assert model.generators[2].trainable_variables
    concurrent.freeze()
    try:
        assert not model.generators[1].trainable_variables
        assert not model.generators[2].trainable_variables
    finally:
        for g in concurrent.learning:
            g.trainable = True


@pytest.fixture(scope="module")
def scale_two(trained_model, tiny_image, tiny_config):
    """An uncompiled view of a scale-2 trainer on the trained scales 0-1 (its own networks)."""
    schedule = pyramid.make_schedule(32, 32, 20, 32, 0.75)
    real = pyramid.build_pyramid(tiny_image, schedule)[2]
    trainer = step.ScaleTrainer(trained_model.coarsest(2), real,
                                *scale_networks(2, tiny_config, (28, 28)), tiny_config,
                                tf.random.Generator.from_seed(1))
    return trainer, trainer.state()


@pytest.fixture
def recorded(scale_two, monkeypatch):
    """One iteration of the scale-2 trainer run eagerly, recording what its steps saw."""
    trainer, initial = scale_two
    trainer.restore(initial)
    seen = {"z": [], "base": [], "mix": [], "penalty": [], "wasserstein": [], "adversarial": []}

    def record(name, function, pick=lambda result: result):
        def wrapped(*args, **kwargs):
            result = function(*args, **kwargs)
            seen[name].append(pick((args, result)))
            return result
        return wrapped

    monkeypatch.setattr(trainer, "critic_step", record("z", trainer.critic_step,
                                                       lambda ar: ar[0][0].numpy()))
    monkeypatch.setattr(trainer, "critic_step", record("base", trainer.critic_step,
                                                       lambda ar: ar[0][1][0].numpy()))
    penalty = step.losses.gradient_penalty
    monkeypatch.setattr(step.losses, "gradient_penalty", lambda critic, real, fake, mix: (
        seen["mix"].append(np.asarray(mix)) or
        seen["penalty"].append(penalty(critic, real, fake, mix)) or seen["penalty"][-1]))
    monkeypatch.setattr(step.losses, "critic_loss", record("wasserstein", step.losses.critic_loss,
                                                           lambda ar: float(ar[1])))
    monkeypatch.setattr(step.losses, "adversarial_loss", record(
        "adversarial", step.losses.adversarial_loss, lambda ar: float(ar[1])))
    counts = (int(trainer.opt_d.iterations), int(trainer.opt_g.iterations))
    tf.config.run_functions_eagerly(True)
    try:
        losses_out = trainer.train_iteration()
    finally:
        tf.config.run_functions_eagerly(False)
    return trainer, seen, losses_out, counts


def test_critic_steps_share_the_noise_and_draw_fresh_lower_samples(recorded):
    _, seen, _, _ = recorded
    assert len(seen["z"]) == len(seen["base"]) == 3  # dsteps, each with a sample of its own
    assert all(np.array_equal(seen["z"][0], z) for z in seen["z"][1:])
    assert all(np.abs(a - b).max() > 1e-4 for a, b in zip(seen["base"], seen["base"][1:]))


def test_every_generator_step_regenerates_its_fake(recorded):
    """The critic does not change in the generator steps, so equal scores would mean a
    stale fake; each step's G update must show in the next step's fake."""
    _, seen, _, _ = recorded
    assert len(seen["adversarial"]) == 3  # gsteps
    assert len(set(seen["adversarial"])) == 3


def test_an_iteration_is_dsteps_critic_and_gsteps_generator_updates(recorded):
    trainer, _, _, (d_before, g_before) = recorded
    assert int(trainer.opt_d.iterations) - d_before == trainer.config.dsteps == 3
    assert int(trainer.opt_g.iterations) - g_before == trainer.config.gsteps == 3


def test_the_penalty_is_weighted_by_0_1_with_one_mixing_scalar_per_step(recorded):
    trainer, seen, out, _ = recorded
    assert trainer.config.lambda_grad == 0.1
    assert [m.shape for m in seen["mix"]] == [()] * 3
    assert all(0 <= m <= 1 for m in seen["mix"]) and len({float(m) for m in seen["mix"]}) == 3
    assert float(out["loss_d"]) == pytest.approx(
        seen["wasserstein"][-1] + 0.1 * float(seen["penalty"][-1]), rel=1e-5)
    assert float(out["gp"]) == pytest.approx(float(seen["penalty"][-1]))


def test_reconstruction_noise_is_zero_above_the_coarsest_scale(scale_two, trained_model):
    trainer, _ = scale_two
    assert not np.any(trainer.z_rec.numpy())
    assert all(not np.any(z.numpy()) for z in trained_model.reconstruction_noise()[1:])
    assert np.any(trained_model.reconstruction_noise()[0].numpy())


def test_frozen_scales_run_in_inference_mode(scale_two, trained_model):
    """The lower sample is the frozen pyramid's own output on the same noise (moving
    statistics), and training leaves those statistics alone."""
    trainer, initial = scale_two
    trainer.restore(initial)
    lower = trained_model.coarsest(2)
    moving = [w.numpy() for g in lower.generators for w in g.weights if "moving" in w.path]
    noise = trainer.lower_noise()
    base = trainer.random_samples(step.stack_steps([noise]))[0]
    np.testing.assert_allclose(base, lower.upsample(lower.generate(noise), (28, 28)), atol=1e-6)
    trainer.train_iteration()
    after = [w.numpy() for g in lower.generators for w in g.weights if "moving" in w.path]
    assert all(np.array_equal(a, b) for a, b in zip(moving, after))
