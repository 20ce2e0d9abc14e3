"""Harmonization: pixels away from the mask stay real; fine-tuning leaves the model alone."""

import os

import numpy as np
from PIL import Image

from conftest import custom_gradients, make_tiny_image, run_module, write_png
from singan_tf.apps import harmonize


def naive_and_mask(real):
    """A flat square pasted into the top-left corner of `real`, and its mask."""
    mask = np.zeros(real.shape[:2], np.float32)
    mask[2:8, 2:8] = 1
    naive = real.copy()
    naive[mask > 0] = [0.9, -0.9, 0.2]
    return naive, mask


def test_pixels_beyond_the_blurred_mask_are_the_real_image(trained_model, tiny_image):
    naive, mask = naive_and_mask(tiny_image)
    out = harmonize.harmonize(trained_model, tiny_image, naive, mask, start_scale=2,
                              radius=2, sigma=1.0)
    assert out.shape == (32, 32, 3)
    far = np.ones((32, 32), bool)
    far[:2 + 6 + 2 + 4, :2 + 6 + 2 + 4] = False  # mask + radius + 4 sigma
    np.testing.assert_array_equal(out[far], tiny_image[far])
    assert np.abs(out[3:7, 3:7] - tiny_image[3:7, 3:7]).mean() > 0.05


def test_fine_tuning_changes_a_copy_only(trained_model, trained_model_dir, tiny_image):
    naive, _ = naive_and_mask(tiny_image)
    before = [w.copy() for w in trained_model.generators[-1].get_weights()]
    files = sorted(os.listdir(os.path.join(trained_model_dir, "scale_03")))
    registered = custom_gradients()
    tuned = harmonize.fine_tune(trained_model_dir, naive, iters=1)
    assert custom_gradients() <= registered  # the fine-tuning step is not kept (README, Memory)
    assert tuned is not trained_model and not tuned.generators[-1].trainable
    changed = [np.abs(a - b).max() for a, b in zip(tuned.generators[-1].get_weights(), before)]
    assert max(changed) > 0
    unchanged = [np.abs(a - b).max() for a, b in zip(tuned.generators[-2].get_weights(),
                                                      trained_model.generators[-2].get_weights())]
    assert max(unchanged) == 0
    for a, b in zip(trained_model.generators[-1].get_weights(), before):
        np.testing.assert_array_equal(a, b)
    assert sorted(os.listdir(os.path.join(trained_model_dir, "scale_03"))) == files


def test_entry_point_resizes_inputs(trained_model_dir, tmp_path):
    big = make_tiny_image(64, 64)
    naive, mask = naive_and_mask(big)
    result = run_module("singan_tf.harmonize", "--flagfile=flags/harmonize.cfg",
                        f"--model_dir={trained_model_dir}",
                        f"--naive={write_png(naive, tmp_path / 'naive.png')}",
                        f"--mask={write_png(mask * 2 - 1, tmp_path / 'mask.png')}",
                        f"--out={tmp_path / 'out.png'}", "--start_scale=3")
    assert result.returncode == 0, result.stderr[-3000:]
    image = Image.open(tmp_path / "out.png")
    assert image.size == (32, 32) and image.mode == "RGB"
