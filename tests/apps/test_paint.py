"""Paint-to-image: the paint's layout survives, quantisation uses the image's palette."""

import numpy as np

from conftest import make_paint
from singan_tf.apps import paint


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
