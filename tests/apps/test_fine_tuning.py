"""Harmonization's fine-tuning: a copy of the model changes, the saved one does not."""

import os

import numpy as np

from conftest import pasted_square
from singan_tf import tf_compat
from singan_tf.apps import fine_tuning
from singan_tf.io.model_dir import ModelDir


def test_fine_tuning_changes_a_copy_only(trained_model, trained_model_dir, tiny_image):
    naive, _ = pasted_square(tiny_image)
    before = [w.copy() for w in trained_model.generators[-1].get_weights()]
    files = sorted(os.listdir(os.path.join(trained_model_dir, "scale_03")))
    registered = tf_compat.custom_gradient_names()
    tuned = fine_tuning.fine_tune(ModelDir(trained_model_dir), naive, iters=1)
    assert tf_compat.custom_gradient_names() <= registered  # the step is not kept
    assert tuned is not trained_model and not tuned.generators[-1].trainable
    changed = [np.abs(a - b).max() for a, b in zip(tuned.generators[-1].get_weights(), before)]
    assert max(changed) > 0
    unchanged = [np.abs(a - b).max() for a, b in zip(tuned.generators[-2].get_weights(),
                                                      trained_model.generators[-2].get_weights())]
    assert max(unchanged) == 0
    for a, b in zip(trained_model.generators[-1].get_weights(), before):
        np.testing.assert_array_equal(a, b)
    assert sorted(os.listdir(os.path.join(trained_model_dir, "scale_03"))) == files
