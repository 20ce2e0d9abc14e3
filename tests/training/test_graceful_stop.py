import os
import signal
import subprocess
import sys

import pytest

from conftest import REPO
from singan_tf.training import graceful_stop


def test_first_signal_requests_a_stop_and_leaves_the_process_running():
    before = signal.getsignal(signal.SIGTERM)
    with graceful_stop.on_signals() as stop:
        assert not stop
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop and stop.signal_name == "SIGTERM"
    assert signal.getsignal(signal.SIGTERM) is before


def test_second_signal_ends_the_process_at_once():
    script = ("import os, signal, time\n"
              "from singan_tf.training import graceful_stop\n"
              "with graceful_stop.on_signals() as stop:\n"
              "    os.kill(os.getpid(), signal.SIGINT)\n"
              "    assert stop\n"
              "    os.kill(os.getpid(), signal.SIGINT)\n"
              "    time.sleep(5)\n"
              "print('still running')\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=REPO), timeout=60)
    assert result.returncode == -signal.SIGINT, result.stderr
    assert "still running" not in result.stdout
    assert "SIGINT: stopping after the current iteration" in result.stderr


def test_handlers_come_back_when_the_block_fails():
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(ValueError):
        with graceful_stop.on_signals():
            raise ValueError
    assert signal.getsignal(signal.SIGINT) is before
