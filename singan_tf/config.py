"""Training hyperparameters, with the official SinGAN defaults.

The commands fill a `TrainConfig` from flags (one flag per field, its help
text taken from the field); the library takes the object.
"""

import dataclasses

from singan_tf.errors import ConfigError

FILTER_GRADIENTS = ("auto", "matmul", "kernel")


def _field(default, help_text):
    return dataclasses.field(default=default, metadata={"help": help_text})


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Every knob of one training run. Defaults are the official code's."""

    # Pyramid.
    max_size: int = _field(250, "Longer side of the finest scale (px).")
    min_size: int = _field(25, "Shorter side of the coarsest scale (px).")
    scale_factor: float = _field(
        0.75, "Nominal ratio between scales; the ratio used is derived from it.")
    # Networks.
    nfc: int = _field(32, "Channels at the coarsest scales.")
    min_nfc: int = _field(32, "Fewest channels of a body block.")
    max_nfc: int = _field(128, "Cap on channels as they double every 4 scales.")
    num_layer: int = _field(5, "Convolutions per network.")
    ker_size: int = _field(3, "Convolution kernel size.")
    # Optimisation.
    niter: int = _field(2000, "Iterations per scale (each dsteps + gsteps).")
    lr_g: float = _field(5e-4, "Generator learning rate (Adam).")
    lr_d: float = _field(5e-4, "Critic learning rate (Adam).")
    beta1: float = _field(0.5, "Adam beta1.")
    gamma: float = _field(0.1, "Learning-rate factor at lr_milestone.")
    lr_milestone: int = _field(1600, "Iteration at which rates drop.")
    dsteps: int = _field(3, "Critic steps per iteration.")
    gsteps: int = _field(3, "Generator steps per iteration.")
    lambda_grad: float = _field(0.1, "Gradient-penalty weight.")
    alpha: float = _field(10.0, "Reconstruction-loss weight.")
    noise_amp: float = _field(0.1, "Noise amplitude relative to the RMSE.")
    noise_padding: bool = _field(
        False, "Draw the noise at the generators' padded size instead of zero-padding it (the "
               "official animation training: flags/train_animation.cfg).")
    redraw_z_rec: bool = _field(
        False, "Redraw the coarsest scale's reconstruction noise every iteration, as the "
               "official code does (its last draw is kept): a looser reconstruction, so larger "
               "noise amplitudes above it and more varied samples from scale N-1 "
               "(docs/quality.md). Off: z_rec is fixed, as in the paper.")
    # Concurrent training (ConSinGAN, Hinz et al. 2021); 1 = the official SinGAN.
    train_depth: int = _field(
        1, "Scales trained at once (ConSinGAN's concurrent training): the newest scale and "
           "the train_depth - 1 below it. 1 is the official one-at-a-time.")
    lr_scale: float = _field(
        0.1, "With train_depth > 1, a scale k steps below the newest learns at "
             "lr_g * lr_scale**k.")
    seed: int = _field(0, "Random seed.")
    # Execution.
    jit_compile: bool = _field(
        False, "Compile each scale's training iteration with XLA: faster per iteration on CPUs "
               "without AVX-512 (docs/performance.md), 24-90 s more per scale to compile, and "
               "numbers that differ from the default's by rounding.")
    filter_gradient: str = _field(
        "kernel", "How training computes convolution weight gradients: 'kernel' "
                  "(TensorFlow's Conv2DBackpropFilter), 'matmul' (one matrix product per "
                  "kernel tap), or 'auto': matmul on CPUs without AVX-512 unless "
                  "--jit_compile, where it trains up to 1.6x faster per iteration "
                  "(docs/performance.md). The two agree to float32 rounding.")

    def __post_init__(self):
        c = self
        patch = c.num_layer * (c.ker_size - 1) + 1
        checks = [
            (c.min_size >= patch,
             f"min_size={c.min_size} must be at least the critic's patch size {patch} "
             f"(num_layer * (ker_size - 1) + 1)"),
            (c.max_size >= c.min_size, f"max_size={c.max_size} must be at least min_size={c.min_size}"),
            (0.0 < c.scale_factor < 1.0, f"scale_factor={c.scale_factor} must be in (0, 1)"),
            (c.nfc >= 1, f"nfc={c.nfc} must be positive"),
            (c.min_nfc >= 1, f"min_nfc={c.min_nfc} must be positive"),
            (c.max_nfc >= max(c.nfc, c.min_nfc),
             f"max_nfc={c.max_nfc} must be at least nfc={c.nfc} and min_nfc={c.min_nfc}"),
            (c.num_layer >= 2, f"num_layer={c.num_layer} must be at least 2 (head and tail)"),
            (c.ker_size >= 1 and c.ker_size % 2 == 1,
             f"ker_size={c.ker_size} must be a positive odd number"),
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
            (c.filter_gradient in FILTER_GRADIENTS,
             f"filter_gradient={c.filter_gradient!r} must be one of {', '.join(FILTER_GRADIENTS)}"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)

    @property
    def noise_margin(self):
        """Pixels per side the noise maps exceed the images by: the generators' padding with
        noise_padding, else 0."""
        return self.num_layer * (self.ker_size // 2) if self.noise_padding else 0

    def to_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values):
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})
