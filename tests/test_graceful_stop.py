import os
import signal

import pytest

from singan_tf import graceful_stop


def test_first_signal_requests_a_stop_and_the_second_interrupts():
    before = signal.getsignal(signal.SIGTERM)
    with graceful_stop.on_signals() as stop:
        assert not stop
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop and stop.signal_name == "SIGTERM"
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGTERM) is before


def test_handlers_come_back_when_the_block_fails():
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(ValueError):
        with graceful_stop.on_signals():
            raise ValueError
    assert signal.getsignal(signal.SIGINT) is before
