"""The atomic writer: a file or folder is replaced whole or not at all, and a failed write
is a WriteError naming the path and the cause."""

import os

import pytest

from singan_tf.errors import WriteError
from singan_tf.io import atomic


def test_a_file_is_replaced_only_when_complete(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("old")
    with atomic.open_replacing(str(path)) as f:
        f.write("new")
        assert path.read_text() == "old"  # not yet
    assert path.read_text() == "new"
    with pytest.raises(RuntimeError):
        with atomic.open_replacing(str(path)) as f:
            f.write("half")
            raise RuntimeError("the writer failed")
    assert path.read_text() == "new"
    assert sorted(os.listdir(tmp_path)) == ["a.txt"]  # no temporary left


def test_a_failed_write_names_the_path_and_the_cause(tmp_path):
    target = tmp_path / "missing" / "a.txt"
    with pytest.raises(WriteError, match=f"cannot write {target}: No such file or directory"):
        with atomic.open_replacing(str(target)) as f:
            f.write("x")


def test_a_folder_is_replaced_whole(tmp_path):
    path = tmp_path / "scale_00"
    path.mkdir()
    (path / "old.txt").write_text("old")
    with atomic.replacing_dir(str(path)) as folder:
        (open(os.path.join(folder, "new.txt"), "w")).write("new")
        assert os.listdir(path) == ["old.txt"]
    assert os.listdir(path) == ["new.txt"]
    with pytest.raises(RuntimeError):
        with atomic.replacing_dir(str(path)) as folder:
            open(os.path.join(folder, "half.txt"), "w").write("half")
            raise RuntimeError
    assert os.listdir(path) == ["new.txt"]
    assert sorted(os.listdir(tmp_path)) == ["scale_00"]


def test_outputs_that_cannot_be_written_are_refused_before_any_work(tmp_path):
    (tmp_path / "file").write_text("x")
    cases = [(atomic.check_writable, tmp_path, "it is a folder"),
             (atomic.check_writable, tmp_path / "no" / "a.png", "folder .*no does not exist"),
             (atomic.check_writable_dir, tmp_path / "file", "it is a file, not a folder"),
             (atomic.check_writable_dir, tmp_path / "file" / "sub", "file is a file"),
             # Refused even to root: sysfs takes no new files.
             (atomic.check_writable, "/sys/kernel/out.png",
              "cannot write /sys/kernel/out.png: Permission denied"),
             (atomic.check_writable_dir, "/sys/kernel/out/a",
              "cannot write /sys/kernel/out/a: Permission denied")]
    for check, path, message in cases:
        with pytest.raises(WriteError, match=message):
            check(str(path))
    atomic.check_writable(str(tmp_path / "new.png"))
    atomic.check_writable_dir(str(tmp_path / "new" / "deeper"))
    assert sorted(os.listdir(tmp_path)) == ["file"]
