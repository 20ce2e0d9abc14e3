"""Ctrl-C and SIGTERM stop training between iterations, never in the middle of TF.

Python's default handler raises KeyboardInterrupt wherever the program is.
Inside a `tf.function` being traced, AutoGraph turns it into a StagingError; in
a weakref callback Python prints and drops it, and training carries on. So the
entry points that train turn the first signal into a request the trainer reads
between iterations (it then saves a checkpoint and stops). A second signal ends
the process at once, as SIGKILL would: every file is replaced atomically, so
--resume continues from the last checkpoint saved.
"""

import contextlib
import os
import signal


class StopRequest:
    """Whether a stop was asked for: true (and, called, returns True) once a signal came,
    so it serves as the trainer's `stop_requested` as it is."""

    def __init__(self):
        self.signal_name = None

    def __call__(self):
        return self.signal_name is not None

    __bool__ = __call__


@contextlib.contextmanager
def on_signals(signals=(signal.SIGINT, signal.SIGTERM)):
    """Yields a StopRequest that the first of `signals` sets; restores the handlers on exit."""
    request = StopRequest()

    def handle(signum, frame):
        if request:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        request.signal_name = signal.Signals(signum).name
        # os.write: a buffered stream may be mid-write when the signal comes.
        os.write(2, f"{request.signal_name}: stopping after the current iteration "
                    f"(send it again to stop at once)\n".encode())

    previous = {s: signal.signal(s, handle) for s in signals}
    try:
        yield request
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
