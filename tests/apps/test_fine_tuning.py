"""Harmonization's fine-tuning (ConSinGAN's): the naive image is the generators' input, the
training image their target; a copy of the model changes, the saved one does not."""

import os

import numpy as np

from conftest import pasted_square
from singan_tf import tf_compat
from singan_tf.apps import fine_tuning, injection
from singan_tf.io.model_dir import ModelDir


def test_fine_tuning_brings_the_paste_closer_to_the_training_image(trained_model,
                                                                   trained_model_dir,
                                                                   tiny_image):
    """A flat, saturated square pasted onto the image: inside it, the colours of the
    fine-tuned model's output (their mean and spread per channel) are much nearer the
    training image's there than those of the model as trained."""
    naive, mask = pasted_square(tiny_image)
    inside = mask > 0

    def colour_distance(model):
        _, raw = injection.inject_and_blend(model, tiny_image, naive, mask, 2, 0, 2, 1.0)
        mean = np.abs(raw[inside].mean(axis=0) - tiny_image[inside].mean(axis=0)).mean()
        spread = np.abs(raw[inside].std(axis=0) - tiny_image[inside].std(axis=0)).mean()
        return mean + spread

    registered = tf_compat.custom_gradient_names()
    tuned = fine_tuning.fine_tune(ModelDir(trained_model_dir), tiny_image, naive,
                                  start_scale=2, iters=20)
    assert tf_compat.custom_gradient_names() <= registered  # the steps are not kept
    assert colour_distance(tuned) < 0.6 * colour_distance(trained_model)


def test_fine_tuning_changes_a_copy_of_the_finest_scales_only(trained_model, trained_model_dir,
                                                              tiny_image):
    naive, _ = pasted_square(tiny_image)
    before = [w.copy() for w in trained_model.generators[-1].get_weights()]
    files = sorted(os.listdir(os.path.join(trained_model_dir, "scale_03")))
    tuned = fine_tuning.fine_tune(ModelDir(trained_model_dir), tiny_image, naive,
                                  start_scale=3, iters=1, num_scales=2)  # only scale 3 is >= 3
    assert tuned is not trained_model and not tuned.generators[-1].trainable
    changed = [np.abs(a - b).max() for a, b in zip(tuned.generators[-1].get_weights(), before)]
    assert max(changed) > 0
    for n in range(3):
        for a, b in zip(tuned.generators[n].get_weights(), trained_model.generators[n].get_weights()):
            np.testing.assert_array_equal(a, b)
    assert tuned.noise_amps == trained_model.noise_amps  # kept, not recomputed
    for a, b in zip(trained_model.generators[-1].get_weights(), before):
        np.testing.assert_array_equal(a, b)
    assert sorted(os.listdir(os.path.join(trained_model_dir, "scale_03"))) == files
