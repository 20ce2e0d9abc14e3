"""The evaluate command: fakes of any mode and size, the table, the JSON, one-line errors."""

import json
import os

import numpy as np
import pytest
from PIL import Image

from conftest import assert_one_line_error, make_tiny_image, run_module, write_png
from singan_tf.io import images
from singan_tf.errors import ImageError


@pytest.fixture
def real():
    return make_tiny_image(96, 128)


def test_scores_fakes_of_any_mode_and_size(command, tmp_path, real):
    real_path = write_png(real, tmp_path / "real.png")
    fakes = tmp_path / "fakes"
    fakes.mkdir()
    write_png(real[5:85, 10:110], fakes / "a_crop.png")
    gray = Image.fromarray(np.round((real[20:90, 30:120] + 1) * 127.5).astype(np.uint8))
    gray.convert("L").save(fakes / "b_gray.jpg")
    noisy = np.clip(real + 0.05 * np.random.default_rng(0).standard_normal(real.shape), -1, 1)
    Image.open(write_png(noisy, fakes / "c.png")).convert("RGBA").save(fakes / "c_rgba.png")
    os.remove(fakes / "c.png")
    (fakes / "notes.txt").write_text("not an image")
    out = tmp_path / "scores.json"

    result = command("evaluate", f"--real={real_path}", f"--fakes={fakes}", f"--json={out}",
                     f"--reference={real_path}")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["fake", "SWD", "NN", "fake>real", "NN", "real>fake", "PSNR", "SSIM"]
    assert [line.split()[0] for line in lines[1:5]] == [
        str(fakes / name) for name in ("a_crop.png", "b_gray.jpg", "c_rgba.png")] + ["mean"]
    assert lines[-1] == "diversity: n/a (needs two or more fakes of one size)"

    scores = json.loads(out.read_text())
    for key in ("swd", "nn_fake_to_real", "nn_real_to_fake"):
        assert isinstance(scores[key], float) and scores[key] >= 0
        assert len(scores[f"{key}_per_level"]) == scores["levels"] == 3
    assert scores["diversity"] is None
    assert [os.path.basename(row["path"]) for row in scores["per_fake"]] == [
        "a_crop.png", "b_gray.jpg", "c_rgba.png"]
    # PSNR/SSIM only for the fake of the reference's size.
    assert [("psnr" in row) for row in scores["per_fake"]] == [False, False, True]
    assert 25 < scores["psnr"] < 40 and 0.5 < scores["ssim"] < 1


def test_errors_are_one_line(command, tmp_path, real):
    real_path = write_png(real, tmp_path / "real.png")
    (tmp_path / "fakes").mkdir()
    (tmp_path / "fakes" / "broken.png").write_bytes(b"not a png")
    (tmp_path / "x.json").mkdir()
    cases = [([f"--fakes={tmp_path / 'fakes'}"], "cannot read image"),
             ([f"--fakes={tmp_path / 'fakes'}", "--sifid_layer=100"], "sifid_layer"),
             ([f"--fakes={tmp_path / 'fakes'}", f"--json={tmp_path / 'fakes'}"],
              "needs the extension .json"),
             ([f"--fakes={tmp_path / 'fakes'}", f"--json={tmp_path / 'x.json'}"],
              "it is a folder")]
    for flags, message in cases:
        assert_one_line_error(command("evaluate", f"--real={real_path}", *flags), message)


def test_smoke_in_a_fresh_process(tmp_path, real):
    real_path = write_png(real, tmp_path / "real.png")
    write_png(real[10:90, 10:110], tmp_path / "fake.png")
    result = run_module("singan_tf.evaluate", f"--real={real_path}",
                        f"--fakes={tmp_path / 'fake.png'}")
    assert result.returncode == 0 and result.stderr == "", result.stderr[-3000:]
    assert result.stdout.splitlines()[1].startswith(str(tmp_path / "fake.png"))


def test_fakes_are_a_directory_or_a_glob(tmp_path, real):
    for name in ("s_1.png", "s_0.png", "other.jpg"):
        write_png(real, tmp_path / name)
    (tmp_path / "notes.txt").write_text("skipped")
    (tmp_path / "sub.png").mkdir()
    assert images.find_images(str(tmp_path)) == [
        str(tmp_path / name) for name in ("other.jpg", "s_0.png", "s_1.png")]
    assert images.find_images(str(tmp_path / "s_*.png")) == [
        str(tmp_path / "s_0.png"), str(tmp_path / "s_1.png")]
    with pytest.raises(ImageError, match="no images found"):
        images.find_images(str(tmp_path / "*.webp"))
    with pytest.raises(ImageError, match="no images found"):
        images.find_images(str(tmp_path / "missing"))
