"""Hyperparameters: official defaults, and values that cannot work are refused."""

import dataclasses
import os

from absl import flags
import pytest

from conftest import REPO
from singan_tf import cli
from singan_tf.config import TrainConfig
from singan_tf.errors import ConfigError


def test_defaults_are_the_official_ones():
    c = TrainConfig()
    assert (c.max_size, c.min_size, c.scale_factor, c.niter) == (250, 25, 0.75, 2000)
    assert (c.nfc, c.min_nfc, c.num_layer, c.ker_size) == (32, 32, 5, 3)
    assert (c.lr_g, c.lr_d, c.beta1, c.gamma, c.lr_milestone) == (5e-4, 5e-4, 0.5, 0.1, 1600)
    assert (c.dsteps, c.gsteps, c.lambda_grad, c.alpha, c.noise_amp) == (3, 3, 0.1, 10.0, 0.1)


def preset(name):
    """The flags of flags/NAME as absl reads them: the config flags only."""
    values = flags.FlagValues()
    cli.define_config_flags(values)
    return cli.read_flagfile(os.path.join(REPO, "flags", name), values)


def test_official_flagfile_states_every_default():
    values = preset("official.cfg")
    assert cli.given_config(values) == TrainConfig().to_dict()


@pytest.mark.parametrize("name", ["quick.cfg", "fast.cfg"])
def test_presets_are_valid_configs(name):
    config = cli.config_from_flags(preset(name))
    assert config.lr_milestone == config.niter * 4 // 5  # the drop at the official 80 %


def test_fast_preset_trains_concurrently_at_full_size():
    config = cli.config_from_flags(preset("fast.cfg"))
    assert (config.max_size, config.train_depth, config.lr_scale) == (250, 3, 0.1)


def test_every_field_has_a_flag_with_its_help():
    values = flags.FlagValues()
    cli.define_config_flags(values)
    for field in dataclasses.fields(TrainConfig):
        assert values[field.name].default == field.default
        assert values[field.name].help == field.metadata["help"]


@pytest.mark.parametrize("change", [
    {"min_size": 5}, {"max_size": 20}, {"scale_factor": 1.0}, {"scale_factor": 0.0},
    {"niter": 0}, {"nfc": 0}, {"max_nfc": 16}, {"num_layer": 1}, {"ker_size": 4},
    {"lr_g": 0.0}, {"beta1": 1.0}, {"gamma": 0.0}, {"dsteps": 0}, {"alpha": -1.0},
    {"noise_amp": 0.0}, {"lr_milestone": -1}, {"train_depth": 0}, {"lr_scale": 0.0},
    {"lr_scale": 1.5},
])
def test_impossible_values_are_refused_with_their_name(change):
    (name, value), = change.items()
    with pytest.raises(ConfigError, match=f"{name}={value}"):
        TrainConfig(**change)


def test_round_trip_through_a_dict():
    config = TrainConfig(niter=7, alpha=3.0)
    assert TrainConfig.from_dict({**config.to_dict(), "unknown_key": 1}) == config


def test_min_size_must_hold_the_critics_patch_for_any_network_shape():
    TrainConfig(min_size=11)
    with pytest.raises(ConfigError, match="patch size 21"):
        TrainConfig(min_size=12, ker_size=5)  # 5 layers x 4 lost pixels + 1
