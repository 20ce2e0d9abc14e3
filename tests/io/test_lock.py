"""The model directory's lock: one run at a time, the holder named, released on every exit,
taken over from a dead process."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from conftest import REPO, assert_one_line_error
from singan_tf.errors import ModelDirError
from singan_tf.io import lock
from singan_tf.io.model_dir import ModelDir


def test_a_second_run_is_refused_naming_the_holder(tmp_path):
    with ModelDir(str(tmp_path)).lock():
        with pytest.raises(ModelDirError, match=f"in use by process {os.getpid()} on "):
            with ModelDir(str(tmp_path)).lock():
                pass
    with ModelDir(str(tmp_path)).lock():  # released: free again
        pass
    assert os.listdir(tmp_path) == []  # and no lock file left behind


def test_released_when_the_run_fails(tmp_path):
    with pytest.raises(RuntimeError):
        with ModelDir(str(tmp_path)).lock():
            raise RuntimeError("the run failed")
    with ModelDir(str(tmp_path)).lock():
        pass


def test_a_killed_holders_lock_is_taken_over(tmp_path):
    script = textwrap.dedent(f"""
        import time
        from singan_tf.io import lock
        with lock.exclusive({str(tmp_path)!r}):
            print("held", flush=True)
            time.sleep(120)
    """)
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              env=dict(os.environ, PYTHONPATH=REPO))
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(ModelDirError, match=f"in use by process {holder.pid}"):
        with lock.exclusive(str(tmp_path)):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=60)
    assert os.path.exists(tmp_path / lock.NAME)  # the dead process's file stays, unlocked
    with lock.exclusive(str(tmp_path)):
        pass


def test_train_refuses_a_directory_in_use_before_any_work(command, tiny_image_path, tmp_path):
    start = time.perf_counter()
    with ModelDir(str(tmp_path / "m")).lock():
        result = command("train", f"--image={tiny_image_path}", f"--model_dir={tmp_path / 'm'}")
    assert_one_line_error(result, "is in use by process")
    assert time.perf_counter() - start < 10
    assert os.listdir(tmp_path / "m") == []


def test_a_waiting_run_starts_when_the_holder_ends(tmp_path):
    events = []

    def second():
        with ModelDir(str(tmp_path)).lock(wait=True):
            events.append("second in")

    with ModelDir(str(tmp_path)).lock():
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)
        events.append("first out")
    thread.join(timeout=10)
    assert events == ["first out", "second in"]
