"""Paint-to-image: the palette of the image at the injection scale, the paint's layout
surviving injection, and the reference's retraining of that scale."""

import numpy as np
import tensorflow as tf

from conftest import make_paint
from singan_tf import tf_compat
from singan_tf.apps import paint
from singan_tf.io.model_dir import ModelDir


def test_the_palette_is_the_images_main_colours_at_the_injection_scale(trained_model,
                                                                       tiny_image):
    centers = paint.palette(trained_model, tiny_image, start_scale=1)
    assert centers.shape[1] == 3 and 2 <= len(centers) <= 5
    at_scale = trained_model.downscale(tf.constant(tiny_image[None]), 1)[0].numpy()
    quantized = paint.to_palette(at_scale, centers).numpy()
    assert {tuple(c) for c in quantized.reshape(-1, 3)} <= {tuple(c) for c in centers}
    assert np.abs(quantized - at_scale).mean() < 0.3  # five colours summarise the image
    painting = paint.to_palette(make_paint(), centers).numpy()
    nearest = np.argmin(((make_paint()[..., None, :] - centers) ** 2).sum(-1), axis=-1)
    np.testing.assert_array_equal(painting, centers[nearest])


def test_output_follows_the_paint(trained_model):
    painting = make_paint()
    out = paint.paint2image(trained_model, painting, start_scale=2, seed=1)
    assert out.shape == (32, 32, 3)
    sample = trained_model.generate(trained_model.seeded_noise(1))[0].numpy()
    assert np.abs(out - painting).mean() < np.abs(sample - painting).mean()
    assert np.abs(out - paint.paint2image(trained_model, painting, 2, seed=2)).mean() > 1e-4


def test_retraining_replaces_the_injection_scale_of_a_copy(trained_model, trained_model_dir,
                                                           tiny_image):
    centers = paint.palette(trained_model, tiny_image, start_scale=2)
    registered = tf_compat.custom_gradient_names()
    retrained = paint.retrain(ModelDir(trained_model_dir), tiny_image, 2, centers, iters=3)
    assert tf_compat.custom_gradient_names() <= registered
    for n in (0, 1, 3):
        for a, b in zip(retrained.generators[n].get_weights(),
                        trained_model.generators[n].get_weights()):
            np.testing.assert_array_equal(a, b)
    assert retrained.generators[2] is not trained_model.generators[2]  # trained from scratch
    assert not retrained.generators[2].trainable
    painting = paint.to_palette(make_paint(), centers).numpy()
    out = paint.paint2image(retrained, painting, 2, seed=1, retrained=True)
    assert out.shape == (32, 32, 3)
    sample = retrained.generate(retrained.seeded_noise(1))[0].numpy()
    assert np.abs(out - painting).mean() < np.abs(sample - painting).mean()
