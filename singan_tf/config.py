"""Training hyperparameters, with the official SinGAN defaults.

Entry points fill a `TrainConfig` from flags; the library takes the object.
"""

import dataclasses

from singan_tf.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Every knob of one training run. Defaults are the official code's."""

    # Pyramid.
    max_size: int = 250
    min_size: int = 25
    scale_factor: float = 0.75
    # Networks.
    nfc: int = 32
    min_nfc: int = 32
    max_nfc: int = 128
    num_layer: int = 5
    ker_size: int = 3
    # Optimisation.
    niter: int = 2000
    lr_g: float = 5e-4
    lr_d: float = 5e-4
    beta1: float = 0.5
    gamma: float = 0.1
    lr_milestone: int = 1600
    dsteps: int = 3
    gsteps: int = 3
    lambda_grad: float = 0.1
    alpha: float = 10.0
    noise_amp: float = 0.1
    # Concurrent training (ConSinGAN, Hinz et al. 2021); 1 = the official SinGAN.
    train_depth: int = 1
    lr_scale: float = 0.1
    seed: int = 0

    def __post_init__(self):
        c = self
        checks = [
            (c.min_size >= c.num_layer * (c.ker_size - 1) + 1,
             f"min_size={c.min_size} must be at least the critic's patch size "
             f"{c.num_layer * (c.ker_size - 1) + 1} (num_layer * (ker_size - 1) + 1)"),
            (c.max_size >= c.min_size, f"max_size={c.max_size} must be at least min_size={c.min_size}"),
            (0.0 < c.scale_factor < 1.0, f"scale_factor={c.scale_factor} must be in (0, 1)"),
            (c.nfc >= 1, f"nfc={c.nfc} must be positive"),
            (c.min_nfc >= 1, f"min_nfc={c.min_nfc} must be positive"),
            (c.max_nfc >= max(c.nfc, c.min_nfc),
             f"max_nfc={c.max_nfc} must be at least nfc={c.nfc} and min_nfc={c.min_nfc}"),
            (c.num_layer >= 2, f"num_layer={c.num_layer} must be at least 2 (head and tail)"),
            (c.ker_size >= 1 and c.ker_size % 2 == 1, f"ker_size={c.ker_size} must be a positive odd number"),
            (c.niter >= 1, f"niter={c.niter} must be at least 1"),
            (c.lr_g > 0, f"lr_g={c.lr_g} must be positive"),
            (c.lr_d > 0, f"lr_d={c.lr_d} must be positive"),
            (0.0 <= c.beta1 < 1.0, f"beta1={c.beta1} must be in [0, 1)"),
            (0.0 < c.gamma <= 1.0, f"gamma={c.gamma} must be in (0, 1]"),
            (c.lr_milestone >= 0, f"lr_milestone={c.lr_milestone} must not be negative"),
            (c.dsteps >= 1, f"dsteps={c.dsteps} must be at least 1"),
            (c.gsteps >= 1, f"gsteps={c.gsteps} must be at least 1"),
            (c.lambda_grad >= 0, f"lambda_grad={c.lambda_grad} must not be negative"),
            (c.alpha >= 0, f"alpha={c.alpha} must not be negative"),
            (c.noise_amp > 0, f"noise_amp={c.noise_amp} must be positive"),
            (c.train_depth >= 1, f"train_depth={c.train_depth} must be at least 1"),
            (0.0 < c.lr_scale <= 1.0, f"lr_scale={c.lr_scale} must be in (0, 1]"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)

    def to_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values):
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})
