"""One writer at a time in a folder: an exclusive lock held for the life of a run.

The lock is the operating system's (flock) on a hidden file in the folder, so
it ends with its process however that ends, a kill included: a lock file left
by a dead process is not held by anyone, and the next run takes it over. The
file records who holds it (process id, host, start time) for the message a
refused run prints. flock is reliable on local disks; on network filesystems
it depends on the server (docs/cluster.md).
"""

import contextlib
import errno
import fcntl
import json
import os
import socket
import time

from singan_tf.errors import ModelDirError
from singan_tf.io import atomic

NAME = ".lock"


@contextlib.contextmanager
def exclusive(folder, wait=False):
    """Holds the lock of `folder` (created if missing) for the block. When another run holds
    it: refuses with one line naming the holder, or, with `wait`, waits for it to end."""
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        raise atomic.write_error(folder, e) from e
    path = os.path.join(folder, NAME)
    fd = _acquire(path, folder, wait)
    try:
        holder = {"pid": os.getpid(), "host": socket.gethostname(),
                  "since": time.strftime("%Y-%m-%d %H:%M:%S")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        yield
    finally:
        os.unlink(path)  # before unlocking: a run waiting on this file then retries (_acquire)
        os.close(fd)


def _acquire(path, folder, wait):
    """A descriptor of `path` locked by this process; retried if the file was replaced."""
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise atomic.write_error(path, e) from e
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            holder = _read(fd)
            os.close(fd)
            if e.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                raise atomic.write_error(path, e) from e
            raise ModelDirError(
                f"{folder} is in use by process {holder.get('pid', '?')} on "
                f"{holder.get('host', '?')} (since {holder.get('since', '?')}): wait for that "
                f"run to end, or stop it") from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the holder removed it while this run waited: take the new one


def _read(fd):
    try:
        return json.loads(os.pread(fd, 4096, 0).decode() or "{}")
    except ValueError:
        return {}
