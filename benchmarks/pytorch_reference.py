"""The same training iteration, and sampling, in PyTorch eager, for a same-hardware comparison.

  python -m venv /tmp/torch && /tmp/torch/bin/pip install torch absl-py
  /tmp/torch/bin/python benchmarks/pytorch_reference.py --threads=1 [--sizes=26x33,...]
      [--bfloat16]
  /tmp/torch/bin/python benchmarks/pytorch_reference.py --sample --sizes=SIZES_AT_250 --threads=2

Written for this benchmark from the algorithm, not taken from the official
code, and independent of singan_tf (no TensorFlow needed): the official
architecture (5 valid 3x3 convs, BatchNorm, LeakyReLU 0.2; widths 32 doubling
every 4 scales up to 128), and one iteration as singan_tf runs it: 3 critic
steps (fresh sample of the lower scales, WGAN loss + 0.1 x gradient penalty)
and 3 generator steps (fake regenerated, adversarial + 10 x reconstruction),
Adam (0.5, 0.999). The default sizes are colusseum.png's at max_size 128, as
`python benchmarks/train_speed.py` prints them. Images are random: the time
does not depend on them. --bfloat16 runs under PyTorch's CPU autocast.

--sample times sampling instead: one batch (1 or 16 images) through every
scale per call (inference mode, no autograd), in ms per sample (the median
of --iters calls after a warm-up), beside `benchmarks/sample_speed.py`'s
figures: give the pyramid sizes it uses (the official schedule at 188x250
is in the README). PyTorch runs with its defaults (NCHW, BatchNorm unfolded).
"""

import time

from absl import app, flags
import torch
from torch import nn

from timing import median_seconds

flags.DEFINE_list("sizes", ["26x33", "32x42", "40x52", "50x65", "62x82", "78x103", "97x128"],
                  "Scale sizes HxW, coarse to fine.")
flags.DEFINE_integer("iters", 10, "Timed iterations per scale (after one warm-up); with "
                     "--sample, timed samples (the median is reported).")
flags.DEFINE_integer("threads", 1, "torch.set_num_threads.")
flags.DEFINE_bool("bfloat16", False, "Run under torch.autocast(bfloat16).")
flags.DEFINE_bool("sample", False, "Time sampling through all --sizes instead of training.")
FLAGS = flags.FLAGS


def width(scale):
    """Official widths: nfc = min_nfc = 32, both doubling every 4 scales, at most 128."""
    return min(32 * 2 ** (scale // 4), 128)


def conv_stack(scale, out_channels):
    """Four Conv-BN-LeakyReLU blocks and a plain conv, all 3x3 valid."""
    layers, c_in = [], 3
    for _ in range(4):
        layers += [nn.Conv2d(c_in, width(scale), 3), nn.BatchNorm2d(width(scale)),
                   nn.LeakyReLU(0.2)]
        c_in = width(scale)
    return nn.Sequential(*layers, nn.Conv2d(c_in, out_channels, 3))


class Generator(nn.Module):
    def __init__(self, scale):
        super().__init__()
        self.body = conv_stack(scale, 3)

    def forward(self, noisy, prev):
        return prev + torch.tanh(self.body(nn.functional.pad(noisy, [5, 5, 5, 5])))


def upsample(images, size):
    return nn.functional.interpolate(images, size=size, mode="bicubic", align_corners=False)


def lower_sample(generators, sizes, size):
    """A random sample of the frozen scales below, upsampled to `size`."""
    images = torch.zeros(1, 3, *sizes[0]) if generators else torch.zeros(1, 3, *size)
    with torch.no_grad():
        for g, s in zip(generators, sizes):
            prev = upsample(images, s)
            images = g(0.1 * torch.randn(1, 3, *s) + prev, prev)
    return upsample(images, size)


def gradient_penalty(critic, real, fake):
    mix = torch.rand(1)
    x = (mix * real + (1 - mix) * fake).requires_grad_(True)
    grad, = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    return ((grad.norm(2, dim=1) - 1) ** 2).mean()


def iteration(G, D, opt_g, opt_d, real, z, frozen, sizes, prev_rec):
    size = real.shape[2:]
    for _ in range(3):
        prev = lower_sample(frozen, sizes, size)
        with torch.no_grad():
            fake = G(0.1 * z + prev, prev)
        opt_d.zero_grad()
        loss = -D(real).mean() + D(fake).mean() + 0.1 * gradient_penalty(D, real, fake)
        loss.backward()
        opt_d.step()
    for _ in range(3):
        opt_g.zero_grad()
        fake = G(0.1 * z + prev, prev)
        rec = G(prev_rec, prev_rec)
        loss = -D(fake).mean() + 10 * nn.functional.mse_loss(rec, real)
        loss.backward()
        opt_g.step()


def time_sampling(sizes):
    """ms per sample through untrained generators at `sizes`, batch 1 and 16."""
    generators = [Generator(n).eval() for n in range(len(sizes))]
    print(f"{'batch':>5} {'ms/sample':>10}")
    for batch in [1, 16]:
        @torch.inference_mode()
        def sample(batch=batch):
            images = torch.zeros(batch, 3, *sizes[0])
            for g, s in zip(generators, sizes):
                prev = upsample(images, s)
                images = g(0.1 * torch.randn(batch, 3, *s) + prev, prev)
            return images

        seconds = median_seconds(sample, FLAGS.iters)
        print(f"{batch:>5} {1e3 * seconds / batch:>10.1f}", flush=True)


def main(argv):
    del argv
    torch.set_num_threads(FLAGS.threads)
    sizes = [tuple(int(v) for v in s.split("x")) for s in FLAGS.sizes]
    frozen = []
    print(f"torch {torch.__version__}, threads {FLAGS.threads}, "
          f"{'bfloat16 autocast' if FLAGS.bfloat16 else 'float32'}")
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=FLAGS.bfloat16):
        if FLAGS.sample:
            return time_sampling(sizes)
        print(f"{'scale':>5} {'size':>9} {'nfc':>4} {'s/iter':>8}")
        for n, size in enumerate(sizes):
            G, D = Generator(n), conv_stack(n, 1)
            opt_g = torch.optim.Adam(G.parameters(), lr=5e-4, betas=(0.5, 0.999))
            opt_d = torch.optim.Adam(D.parameters(), lr=5e-4, betas=(0.5, 0.999))
            real, z = torch.rand(1, 3, *size) * 2 - 1, torch.randn(1, 3, *size)
            prev_rec = lower_sample(frozen, sizes[:n], size)
            iteration(G, D, opt_g, opt_d, real, z, frozen, sizes[:n], prev_rec)  # warm-up
            start = time.perf_counter()
            for _ in range(FLAGS.iters):
                iteration(G, D, opt_g, opt_d, real, z, frozen, sizes[:n], prev_rec)
            per_iter = (time.perf_counter() - start) / FLAGS.iters
            print(f"{n:>5} {size[0]:>4}x{size[1]:<4} {width(n):>4} {per_iter:>8.3f}", flush=True)
            G.eval()
            frozen.append(G)


if __name__ == "__main__":
    app.run(main)
