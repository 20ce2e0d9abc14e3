"""The animate command: a looping GIF and its frames; outputs checked before any work."""

import os

from PIL import Image

from conftest import assert_one_line_error, run_module


def test_writes_a_looping_gif_and_frames(command, trained_model_dir, tmp_path):
    result = command("animate", "--flagfile=flags/animate.cfg", f"--model_dir={trained_model_dir}",
                     f"--out={tmp_path / 'anim.gif'}", "--frames=7", "--fps=5",
                     f"--frames_dir={tmp_path / 'frames'}")
    assert result.returncode == 0, result.stderr
    gif = Image.open(tmp_path / "anim.gif")
    assert gif.size == (32, 32) and gif.n_frames == 7
    assert gif.info["loop"] == 0 and gif.info["duration"] == 200
    assert sorted(os.listdir(tmp_path / "frames")) == [f"frame_{i:03d}.png" for i in range(7)]


def test_errors_are_one_line(command, trained_model_dir, tmp_path):
    (tmp_path / "file").write_text("x")
    for flags, message in [([f"--out={tmp_path / 'a.xyz'}"], "needs the extension .gif"),
                           ([f"--out={tmp_path / 'a.gif'}", "--frames=1"], "frames=1"),
                           ([f"--out={tmp_path / 'a.gif'}", f"--frames_dir={tmp_path / 'file'}"],
                            "it is a file, not a folder")]:
        assert_one_line_error(command("animate", f"--model_dir={trained_model_dir}", *flags),
                              message)
    assert sorted(os.listdir(tmp_path)) == ["file"]


def test_smoke_in_a_fresh_process(trained_model_dir, tmp_path):
    result = run_module("singan_tf.animate", f"--model_dir={trained_model_dir}",
                        f"--out={tmp_path / 'a.gif'}", "--frames=3")
    assert result.returncode == 0 and result.stderr == "", result.stderr[-3000:]
    assert Image.open(tmp_path / "a.gif").n_frames == 3
