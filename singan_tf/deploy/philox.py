"""A NumPy port of TensorFlow's `tf.random.stateless_normal` on CPU (Philox-4x32-10).

The TFLite model takes its noise as input, since stateless random ops do not
convert without Flex; drawing that noise with this port keeps the contract
"same seed, same image" across TF, the SavedModel and TFLite, without TensorFlow.
Values match TF's to about 1e-6 (float32 sin/log/sqrt may differ by an ulp).
"""

import numpy as np

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_LOW = np.uint64(0xFFFFFFFF)
_32 = np.uint64(32)


def philox(counters, key):
    """Philox-4x32 with 10 rounds: counters [n, 4] uint32, key (k0, k1) -> [n, 4] uint32."""
    c0, c1, c2, c3 = (counters[:, i].astype(np.uint64) for i in range(4))
    k0, k1 = int(key[0]), int(key[1])
    for round_ in range(10):
        p0, p1 = _M0 * c0, _M1 * c2
        c0, c1, c2, c3 = ((p1 >> _32) ^ c1 ^ np.uint64(k0), p1 & _LOW,
                          (p0 >> _32) ^ c3 ^ np.uint64(k1), p0 & _LOW)
        if round_ < 9:
            k0, k1 = (k0 + _W0) & 0xFFFFFFFF, (k1 + _W1) & 0xFFFFFFFF
    return np.stack([c0, c1, c2, c3], axis=1).astype(np.uint32)


def key_and_counter(seed):
    """TF's scrambling of a [2] int64 seed into a Philox key and start counter."""
    s0, s1 = (int(s) & 0xFFFFFFFFFFFFFFFF for s in seed)
    counter = np.array([[s0 & 0xFFFFFFFF, s0 >> 32, s1 & 0xFFFFFFFF, s1 >> 32]], np.uint32)
    mix = philox(counter, (0x3EC8F720, 0x02461E29))[0]
    return (int(mix[0]), int(mix[1])), (int(mix[2]), int(mix[3]))


def _unit_floats(bits):
    """uint32 -> float32 in [0, 1) from the 23 mantissa bits, as TF does."""
    return ((bits & np.uint32(0x7FFFFF)) | np.uint32(127 << 23)).view(np.float32) - np.float32(1.0)


def stateless_normal(shape, seed):
    """float32 standard normals equal (to ~1e-6) to tf.random.stateless_normal(shape, seed)."""
    size = int(np.prod(shape))
    key, (high0, high1) = key_and_counter(seed)
    groups = np.arange((size + 3) // 4, dtype=np.uint64)  # 4 values per Philox call
    counters = np.stack([(groups & _LOW).astype(np.uint32), (groups >> _32).astype(np.uint32),
                         np.full(groups.shape, high0, np.uint32),
                         np.full(groups.shape, high1, np.uint32)], axis=1)
    bits = philox(counters, key).reshape(-1)
    # Box-Muller on consecutive pairs.
    radius = np.sqrt(np.float32(-2.0) * np.log(np.maximum(_unit_floats(bits[0::2]), np.float32(1e-7))))
    angle = np.float32(2.0 * np.pi) * _unit_floats(bits[1::2])
    values = np.empty(bits.shape, np.float32)
    values[0::2] = np.sin(angle) * radius
    values[1::2] = np.cos(angle) * radius
    return values[:size].reshape(shape)
