"""Wall-clock timing shared by the benchmarks, and the settings a timing depends on."""

import os
import statistics
import time


def onednn_settings():
    """The oneDNN switches the figures depend on, as set in the environment."""
    fpmath = [f"{name}={os.environ[name]}" for name in
              ("ONEDNN_DEFAULT_FPMATH_MODE", "TF_SET_ONEDNN_FPMATH_MODE") if name in os.environ]
    return (f"oneDNN {os.environ.get('TF_ENABLE_ONEDNN_OPTS', 'default')}, "
            f"fpmath {' '.join(fpmath) or 'default (strict)'}")


def median_seconds(call, runs):
    """Median time of `runs` calls of `call`, after one untimed warm-up call."""
    call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
