"""The one way singan_tf writes a file or a folder: completely, or not at all.

Everything is written under a temporary name beside its destination, flushed
to disk, and renamed into place only when complete, so a crash, a kill or a
full disk at any moment leaves the old version or the new one, never half of
one. A failed write removes its temporary and raises WriteError, which the
commands print as one line naming the path and the cause.
"""

import contextlib
import errno
import os
import re
import shutil
import tempfile

from singan_tf.errors import WriteError


def _temporary(path, kind):
    """A hidden name beside `path` that keeps its ending (Keras wants `.weights.h5`)."""
    directory, name = os.path.split(os.path.abspath(path))
    return os.path.join(directory, f".{kind}.{name}")


def _sync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_CAUSES = [os.strerror(code) for code in (errno.ENOSPC, errno.EDQUOT, errno.EACCES,
                                            errno.EPERM, errno.EROFS, errno.EIO, errno.ENOTDIR)]


def write_error(path, error):
    """A one-line WriteError for `path` that names the cause ("No space left on device", ...):
    the errno's message, also when a library reports it in words of its own (h5py's "errno =
    28", TensorFlow's "...; No space left on device")."""
    text = str(error)
    code = re.search(r"errno = (\d+)", text)
    known = [c for c in _CAUSES if c in text]
    if code:
        cause = os.strerror(int(code.group(1)))
    elif getattr(error, "errno", None) and getattr(error, "strerror", None):
        cause = error.strerror
    elif known:
        cause = known[0]
    else:
        cause = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return WriteError(f"cannot write {path}: {cause}")


@contextlib.contextmanager
def replacing(path):
    """Yields a temporary path to write; when the block ends, it replaces `path` at once."""
    tmp = _temporary(path, "tmp")
    try:
        yield tmp
        _sync(tmp)
        os.replace(tmp, path)
    except WriteError:
        raise
    except OSError as e:
        raise write_error(path, e) from e
    finally:
        if os.path.lexists(tmp):
            os.remove(tmp)


@contextlib.contextmanager
def open_replacing(path, mode="w"):
    """`replacing` with the temporary opened in `mode` ("w" or "wb")."""
    with replacing(path) as tmp:
        with open(tmp, mode) as f:
            yield f


@contextlib.contextmanager
def replacing_dir(path):
    """Yields a temporary folder to fill; when the block ends, it takes `path`'s place."""
    partial = _temporary(path, "partial")
    old = _temporary(path, "old")
    try:
        shutil.rmtree(partial, ignore_errors=True)
        os.makedirs(partial)
        try:
            yield partial
        except WriteError as e:  # name the folder the user knows, not the temporary one
            raise WriteError(str(e).replace(partial, path)) from e
        for root, _, files in os.walk(partial):
            for name in files:
                _sync(os.path.join(root, name))
        if os.path.exists(path):
            os.rename(path, old)
        try:
            os.rename(partial, path)
        except OSError:
            if os.path.exists(old):
                os.rename(old, path)  # the previous version stays
            raise
        shutil.rmtree(old, ignore_errors=True)
    except WriteError:
        raise
    except OSError as e:
        raise write_error(path, e) from e
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def check_writable(path):
    """Fails now, before any work, when the file `path` could not be written later."""
    if os.path.isdir(path):
        raise WriteError(f"cannot write {path}: it is a folder")
    _check_folder_writable(os.path.dirname(os.path.abspath(path)), path)


def check_writable_dir(path):
    """Fails now, before any work, when files could not be written into the folder `path`
    (made later if missing)."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise WriteError(f"cannot write into {path}: it is a file, not a folder")
    existing = os.path.abspath(path)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise WriteError(f"cannot write into {path}: {existing} is a file, not a folder")
    _check_folder_writable(existing, path)


def _check_folder_writable(folder, path):
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise WriteError(f"cannot write {path}: {folder} is a file, not a folder")
    if not os.path.isdir(folder):
        raise WriteError(f"cannot write {path}: folder {folder} does not exist")
    try:  # the only sure test: permissions, read-only mounts and quotas all answer it
        with tempfile.NamedTemporaryFile(dir=folder):
            pass
    except OSError as e:
        raise write_error(path, e) from e
