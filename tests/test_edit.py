"""Editing: blended and raw outputs; away from the mask the blend is the real image."""

import numpy as np
from PIL import Image

from conftest import last_line, run_module, write_png
from singan_tf.apps import edit


def edited_and_mask(real):
    """A stripe of the image copied elsewhere (a crude edit), and its mask."""
    mask = np.zeros(real.shape[:2], np.float32)
    mask[20:28, 20:28] = 1
    edited = real.copy()
    edited[20:28, 20:28] = real[0:8, 0:8]
    return edited, mask


def test_blend_is_real_beyond_the_mask_and_raw_is_the_generator(trained_model, tiny_image):
    edited, mask = edited_and_mask(tiny_image)
    blended, raw = edit.edit(trained_model, tiny_image, edited, mask, start_scale=2, seed=3,
                             radius=2, sigma=1.0)
    assert blended.shape == raw.shape == (32, 32, 3)
    near = np.zeros((32, 32), bool)
    near[20 - 6:, 20 - 6:] = True  # mask + radius + 4 sigma
    np.testing.assert_array_equal(blended[~near], tiny_image[~near])
    np.testing.assert_allclose(blended[22:26, 22:26], raw[22:26, 22:26], atol=1e-5)
    want = trained_model.generate(trained_model.seeded_noise(3), 2, injected=edited[None])[0]
    np.testing.assert_allclose(raw, want, atol=1e-6)


def test_entry_point_writes_blended_and_raw(trained_model_dir, tiny_image, tmp_path):
    edited, mask = edited_and_mask(tiny_image)
    result = run_module("singan_tf.edit", "--flagfile=flags/edit.cfg",
                        f"--model_dir={trained_model_dir}",
                        f"--edited={write_png(edited, tmp_path / 'edited.png')}",
                        f"--mask={write_png(mask * 2 - 1, tmp_path / 'mask.png')}",
                        f"--out={tmp_path / 'out.png'}", "--start_scale=1")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "out_raw.png" in last_line(result.stdout)
    for name in ["out.png", "out_raw.png"]:
        image = Image.open(tmp_path / name)
        assert image.size == (32, 32) and image.mode == "RGB"
