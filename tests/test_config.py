"""Hyperparameters: official defaults, and values that cannot work are refused."""

import os
import re

import pytest

from singan_tf.config import TrainConfig
from singan_tf.errors import ConfigError

FLAGS_DIR = os.path.join(os.path.dirname(__file__), "..", "flags")


def test_defaults_are_the_official_ones():
    c = TrainConfig()
    assert (c.max_size, c.min_size, c.scale_factor, c.niter) == (250, 25, 0.75, 2000)
    assert (c.nfc, c.min_nfc, c.num_layer, c.ker_size) == (32, 32, 5, 3)
    assert (c.lr_g, c.lr_d, c.beta1, c.gamma, c.lr_milestone) == (5e-4, 5e-4, 0.5, 0.1, 1600)
    assert (c.dsteps, c.gsteps, c.lambda_grad, c.alpha, c.noise_amp) == (3, 3, 0.1, 10.0, 0.1)


def read_flagfile(name):
    values = {}
    for line in open(os.path.join(FLAGS_DIR, name)):
        match = re.match(r"--(\w+)=(\S+)", line.strip())
        if match:
            values[match.group(1)] = match.group(2)
    return values


def test_official_flagfile_states_every_default():
    values = read_flagfile("official.cfg")
    defaults = TrainConfig().to_dict()
    assert set(values) == set(defaults)
    for name, text in values.items():
        assert type(defaults[name])(text) == defaults[name], name


@pytest.mark.parametrize("name", ["quick.cfg", "fast.cfg"])
def test_presets_are_valid_configs(name):
    values = read_flagfile(name)
    defaults = TrainConfig().to_dict()
    config = TrainConfig(**{k: type(defaults[k])(v) for k, v in values.items()})
    assert config.lr_milestone == config.niter * 4 // 5  # the drop at the official 80 %


def test_fast_preset_trains_concurrently_at_full_size():
    values = read_flagfile("fast.cfg")
    assert (values["max_size"], values["train_depth"], values["lr_scale"]) == ("250", "3", "0.1")


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
