"""The paint2image command: the preset quantizes, inputs of another size are fitted."""

from PIL import Image

from conftest import assert_one_line_error, make_paint, run_module, write_png


def test_the_preset_quantizes_retrains_and_accepts_another_size(command, trained_model_dir,
                                                               tmp_path):
    source = write_png(make_paint(64, 64), tmp_path / "paint.png")
    out = tmp_path / "out.png"
    result = command("paint2image", "--flagfile=flags/paint2image.cfg",
                     f"--model_dir={trained_model_dir}", f"--paint={source}", f"--out={out}",
                     "--start_scale=1", "--retrain_iters=2")
    assert result.returncode == 0, result.stderr
    for path in [out, tmp_path / "out_quantized.png"]:
        image = Image.open(path)
        assert image.size == (32, 32) and image.mode == "RGB"


def test_errors_are_one_line_and_write_nothing(command, trained_model_dir, tmp_path):
    source = write_png(make_paint(), tmp_path / "paint.png")
    wide = write_png(make_paint(32, 48), tmp_path / "wide.png")
    common = [f"--model_dir={trained_model_dir}", f"--out={tmp_path / 'out.png'}"]
    for flags, message in [([f"--paint={source}", "--start_scale=0"], "start_scale=0 must be in 1..3"),
                           ([f"--paint={wide}", "--start_scale=1"], "another aspect ratio"),
                           ([f"--paint={tmp_path / 'none.png'}", "--start_scale=1"], "not found"),
                           ([f"--paint={source}"], "start_scale"),
                           ([f"--paint={source}", "--start_scale=1", "--retrain"],
                            "--retrain trains on the quantized palette: it needs --quantize")]:
        assert_one_line_error(command("paint2image", *common, *flags), message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paint.png", "wide.png"]


def test_smoke_in_a_fresh_process(trained_model_dir, tmp_path):
    source = write_png(make_paint(), tmp_path / "paint.png")
    result = run_module("singan_tf.paint2image", f"--model_dir={trained_model_dir}",
                        f"--paint={source}", f"--out={tmp_path / 'out.png'}", "--start_scale=2")
    assert result.returncode == 0 and result.stderr == "", result.stderr[-3000:]
    assert Image.open(tmp_path / "out.png").size == (32, 32)
