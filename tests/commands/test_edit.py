"""The edit command: the blended output and the raw one beside it."""

from PIL import Image

from conftest import assert_one_line_error, last_line, pasted_square, run_module, write_png


def test_writes_blended_and_raw(command, trained_model_dir, tiny_image, tmp_path):
    edited, mask = pasted_square(tiny_image)
    result = command("edit", "--flagfile=flags/edit.cfg", f"--model_dir={trained_model_dir}",
                     f"--edited={write_png(edited, tmp_path / 'edited.png')}",
                     f"--mask={write_png(mask * 2 - 1, tmp_path / 'mask.png')}",
                     f"--out={tmp_path / 'out.jpg'}", "--start_scale=1")
    assert result.returncode == 0, result.stderr
    assert last_line(result.stdout) == (f"written to {tmp_path / 'out.jpg'} and "
                                        f"{tmp_path / 'out_raw.jpg'}")
    for name in ["out.jpg", "out_raw.jpg"]:
        image = Image.open(tmp_path / name)
        assert image.size == (32, 32) and image.format == "JPEG"


def test_errors_are_one_line(command, trained_model_dir, tiny_image, tmp_path):
    edited, mask = pasted_square(tiny_image)
    common = [f"--model_dir={trained_model_dir}",
              f"--edited={write_png(edited, tmp_path / 'edited.png')}",
              f"--mask={write_png(mask[:, :20] * 2 - 1, tmp_path / 'narrow.png')}",
              f"--out={tmp_path / 'out.png'}", "--start_scale=1"]
    assert_one_line_error(command("edit", *common), "mask")
    assert not (tmp_path / "out.png").exists()


def test_smoke_in_a_fresh_process(trained_model_dir, tiny_image, tmp_path):
    edited, mask = pasted_square(tiny_image)
    result = run_module("singan_tf.edit", f"--model_dir={trained_model_dir}",
                        f"--edited={write_png(edited, tmp_path / 'edited.png')}",
                        f"--mask={write_png(mask * 2 - 1, tmp_path / 'mask.png')}",
                        f"--out={tmp_path / 'out.png'}", "--start_scale=2")
    assert result.returncode == 0 and result.stderr == "", result.stderr[-3000:]
    assert (tmp_path / "out_raw.png").exists()
