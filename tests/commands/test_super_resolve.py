"""The super_resolve command: trains, resumes or reuses its model; PSNR; errors before work."""

import shutil

import pytest
from PIL import Image

from conftest import assert_one_line_error, last_line, make_tiny_image, run_module, write_png
from singan_tf.io.model_dir import ModelDir

SR = ["--flagfile=flags/super_resolve.cfg", "--factor=2", "--niter=2", "--progress=false"]


@pytest.fixture(scope="module")
def low_res(tmp_path_factory):
    """A 20 px image and the complete SR model its command trains (2 scales, niter 2)."""
    from singan_tf import cli, super_resolve
    folder = tmp_path_factory.mktemp("sr")
    low = write_png(make_tiny_image(20, 20), folder / "low.png")
    assert cli.execute(super_resolve.main, super_resolve.FLAGS,
                       ["super_resolve", f"--image={low}", f"--out={folder / 'sr.png'}", *SR]) == 0
    return low, folder / "sr_model"


def test_trains_beside_the_output(low_res):
    low, model_path = low_res
    model_dir = ModelDir(str(model_path))
    assert model_dir.is_complete() and model_dir.read_manifest()["config"]["alpha"] == 100.0
    image = Image.open(model_path.parent / "sr.png")
    assert image.size == (40, 40) and image.mode == "RGB"


def test_interrupted_training_is_resumed_by_the_same_command(command, low_res, tmp_path):
    """A model dir missing its last scale (as after Ctrl-C) is finished, not used half-trained."""
    low, model_path = low_res
    path = tmp_path / "sr_model"
    shutil.copytree(model_path, path)
    model_dir = ModelDir(str(path))
    count = model_dir.trained_scales()
    shutil.rmtree(model_dir.scale_path(count - 1))
    args = [f"--image={low}", f"--out={tmp_path / 'sr.png'}", *SR]
    for flag, message in [("--niter=3", "--niter=3 differs from the run being resumed"),
                          ("--factor=3", "--factor=3.0 is not the factor the interrupted run")]:
        assert_one_line_error(command("super_resolve", *args, flag), message)
    result = command("super_resolve", *args)
    assert result.returncode == 0, result.stderr
    assert f"resumed the interrupted training in {path}" in result.stdout
    assert model_dir.trained_scales() == count


def test_bad_output_fails_before_training(command, tmp_path):
    low = write_png(make_tiny_image(20, 20), tmp_path / "low.png")
    for out, message in [(tmp_path / "sr.xyz", f"unknown image file extension: {tmp_path / 'sr.xyz'}"),
                         (tmp_path / "no" / "sr.png", "does not exist")]:
        assert_one_line_error(command("super_resolve", f"--image={low}", f"--out={out}", *SR),
                              message)
    assert_one_line_error(command("super_resolve", f"--image={low}", f"--out={tmp_path / 'a.png'}",
                                  "--factor=1.1"), "factor=1.1 is too small")
    assert list(tmp_path.iterdir()) == [tmp_path / "low.png"]


def test_smoke_in_a_fresh_process_reuses_the_model_and_reports_psnr(low_res, tmp_path):
    low, model_path = low_res
    high = write_png(make_tiny_image(40, 40), tmp_path / "high.png")
    result = run_module("singan_tf.super_resolve", f"--image={low}", f"--out={tmp_path / 'x.png'}",
                        f"--model_dir={model_path}", "--factor=2", f"--reference={high}")
    assert result.returncode == 0 and result.stderr == "", result.stderr[-3000:]
    assert last_line(result.stdout).startswith("PSNR ") and last_line(result.stdout).endswith(
        f"dB against {high}")
    assert Image.open(tmp_path / "x.png").size == (40, 40)
