"""The harmonize command: inputs of another size are fitted; errors come before any work."""

from PIL import Image

from conftest import (assert_one_line_error, make_tiny_image, pasted_square, run_module,
                      write_png)


def inputs(folder, size=64):
    naive, mask = pasted_square(make_tiny_image(size, size))
    return (write_png(naive, folder / "naive.png"), write_png(mask * 2 - 1, folder / "mask.png"))


def test_resizes_inputs_of_the_models_aspect_ratio(command, trained_model_dir, tmp_path):
    naive, mask = inputs(tmp_path)
    result = command("harmonize", "--flagfile=flags/harmonize.cfg",
                     f"--model_dir={trained_model_dir}", f"--naive={naive}", f"--mask={mask}",
                     f"--out={tmp_path / 'out.png'}", "--start_scale=3")
    assert result.returncode == 0, result.stderr
    image = Image.open(tmp_path / "out.png")
    assert image.size == (32, 32) and image.mode == "RGB"


def test_errors_are_one_line(command, trained_model_dir, tmp_path):
    naive, mask = inputs(tmp_path)
    common = [f"--model_dir={trained_model_dir}", f"--naive={naive}", f"--mask={mask}"]
    for flags, message in [([f"--out={tmp_path / 'o.png'}", "--start_scale=4"],
                            "start_scale=4 must be in 1..3"),
                           ([f"--out={tmp_path / 'o.xyz'}", "--start_scale=1"],
                            "unknown image file extension"),
                           ([f"--out={tmp_path / 'o.png'}", "--start_scale=1",
                             f"--image={tmp_path / 'gone.png'}"], "image not found"),
                           ([f"--out={tmp_path / 'o.png'}", "--start_scale=1",
                             "--dilation=-1"], "dilation")]:
        assert_one_line_error(command("harmonize", *common, *flags), message)
    assert not (tmp_path / "o.png").exists()


def test_smoke_in_a_fresh_process(trained_model_dir, tmp_path):
    naive, mask = inputs(tmp_path, size=32)
    result = run_module("singan_tf.harmonize", f"--model_dir={trained_model_dir}",
                        f"--naive={naive}", f"--mask={mask}", f"--out={tmp_path / 'out.png'}",
                        "--start_scale=2")
    assert result.returncode == 0 and result.stderr == "", result.stderr[-3000:]
    assert Image.open(tmp_path / "out.png").size == (32, 32)
