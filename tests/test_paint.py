"""Paint-to-image: the paint's layout survives, quantisation uses the image's palette."""

import numpy as np
from PIL import Image

from conftest import run_module, write_png
from singan_tf.apps import paint


def make_paint(height=32, width=32):
    """Clip art: three flat colour regions."""
    pixels = np.zeros((height, width, 3), np.float32)
    pixels[: height // 2] = [0.6, 0.7, -0.2]
    pixels[height // 2:] = [-0.5, 0.1, 0.5]
    pixels[8:20, 10:22] = [0.8, -0.6, 0.0]
    return pixels


def colours(pixels):
    return {tuple(c) for c in np.round(pixels.reshape(-1, 3), 4)}


def test_quantize_maps_the_paint_onto_the_real_palette(tiny_image):
    paint_q, real_q = paint.quantize(make_paint(), tiny_image)
    assert paint_q.shape == real_q.shape == (32, 32, 3)
    assert len(colours(real_q)) <= 5 and colours(paint_q) <= colours(real_q)
    assert np.abs(real_q - tiny_image).mean() < 0.3


def test_output_follows_the_paint(trained_model):
    painting = make_paint()
    out = paint.paint2image(trained_model, painting, start_scale=2, seed=1)
    assert out.shape == (32, 32, 3)
    sample = trained_model.generate(trained_model.seeded_noise(1))[0].numpy()
    assert np.abs(out - painting).mean() < np.abs(sample - painting).mean()
    assert np.abs(out - paint.paint2image(trained_model, painting, 2, seed=2)).mean() > 1e-4


def test_entry_point_quantizes_and_accepts_another_size(trained_model_dir, tmp_path):
    source = write_png(make_paint(64, 64), tmp_path / "paint.png")
    out = tmp_path / "out.png"
    result = run_module("singan_tf.paint2image", "--flagfile=flags/paint2image.cfg",
                        f"--model_dir={trained_model_dir}",
                        f"--paint={source}", f"--out={out}", "--start_scale=1")
    assert result.returncode == 0, result.stderr[-3000:]
    for path in [out, tmp_path / "out_quantized.png"]:
        image = Image.open(path)
        assert image.size == (32, 32) and image.mode == "RGB"
