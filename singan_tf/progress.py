"""A progress bar for long loops, fit for a terminal and for a log file alike."""

import math
import sys
import time

import keras


class ProgressBar:
    """Steps done, figures and ETA (a scale's iterations, a sample's tiles): Keras' bar on a
    terminal; elsewhere (a log file, CI) a plain line every 5 % instead of a
    carriage-return update per step."""

    STEP = 0.05

    def __init__(self, total, enabled=True, stream=None, unit="step"):
        self.total, self.enabled, self.unit = total, enabled, unit
        self.stream = stream or sys.stdout
        self.bar = (keras.utils.Progbar(total, unit_name=unit)
                    if enabled and self.stream.isatty() else None)
        self.start, self.next_line = None, 0

    def update(self, done, metrics=()):
        metrics = dict(metrics)
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(done, values=list(metrics.items()), finalize=done == self.total)
            return
        now = time.perf_counter()
        if self.start is None:
            self.start = (done - 1, now)
        if done < self.next_line and done != self.total:
            return
        self.next_line = done + max(1, math.ceil(self.STEP * self.total))
        first, started = self.start
        per_iteration = (now - started) / max(done - first, 1)
        eta = round(per_iteration * (self.total - done))
        losses = " ".join(f"{name} {value:.4f}" for name, value in metrics.items())
        print(f"  {done}/{self.total} ({100 * done / self.total:.0f}%) "
              f"{per_iteration:.3f} s/{self.unit} ETA {eta // 60}:{eta % 60:02d} {losses}".rstrip(),
              file=self.stream, flush=True)
