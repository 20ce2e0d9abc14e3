"""Wall-clock timing shared by the benchmarks."""

import statistics
import time


def median_seconds(call, runs):
    """Median time of `runs` calls of `call`, after one untimed warm-up call."""
    call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
