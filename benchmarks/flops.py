"""Analytic FLOP counts of the SinGAN networks (multiply-adds x 2), for GFLOP/s figures."""

from singan_tf import models


def conv_flops(h, w, channels, kernel_size, out_channels, padded):
    """One forward pass of a stack of valid convolutions (widths `channels`, then
    `out_channels`) on an h x w RGB input, padded first by the generator's margin if `padded`."""
    if padded:
        margin = 2 * len(channels) * (kernel_size // 2)
        h, w = h + margin, w + margin
    total, c_in = 0, 3
    for c_out in list(channels) + [out_channels]:
        h, w = h - kernel_size + 1, w - kernel_size + 1
        total += 2 * h * w * kernel_size * kernel_size * c_in * c_out
        c_in = c_out
    return total


def network_flops(network, h, w, out_channels, padded):
    """One forward pass of a Generator (out 3, padded) or Discriminator (out 1) at h x w."""
    channels = models.layer_channels(network.nfc, network.min_nfc, network.num_layer)
    return conv_flops(h, w, channels, network.kernel_size, out_channels, padded)


def sample_flops(model, batch=1):
    """One pass down the pyramid: every generator forward at its training size."""
    return batch * sum(network_flops(g, h, w, 3, padded=True)
                       for g, (h, w) in zip(model.generators, model.sizes))
