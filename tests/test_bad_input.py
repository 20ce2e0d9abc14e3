"""The table of bad and odd inputs: odd-but-valid ones work, bad ones raise one clear error.

Each row builds an input in a temporary folder and runs the checks the
training entry point runs before it trains (read the image, validate the
config, compute the pyramid) or loads a model directory. SinGANError is what
the entry points print as one line with exit status 1 (see test_train.py for
the command-line side).
"""

import io
import os
import shutil

import numpy as np
import pytest
from PIL import Image

from singan_tf import pyramid
from singan_tf.config import TrainConfig
from singan_tf.errors import SinGANError
from singan_tf.io import images
from singan_tf.io.model_dir import ModelDir


def gradient(height, width):
    yy, xx = np.mgrid[0:height, 0:width]
    return np.stack([xx * 255 // max(width - 1, 1), yy * 255 // max(height - 1, 1),
                     (xx + yy) % 256], -1).astype(np.uint8)


def saved(tmp, name, image, **kwargs):
    path = str(tmp / name)
    image.save(path, **kwargs)
    return path


def encoded(image, fmt):
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def write_bytes(tmp, name, data):
    (tmp / name).write_bytes(data)
    return str(tmp / name)


def prepare_for_training(path, **config):
    """What `singan_tf.train` checks before it trains."""
    config = TrainConfig(**config)
    image = images.load_image(path)
    pyramid.make_schedule(image.shape[0], image.shape[1], config.min_size, config.max_size,
                          config.scale_factor)
    return image


NOISE = Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200, 3), dtype=np.uint8))
PHOTO = Image.fromarray(gradient(60, 80))


def animated_gif(tmp):
    frames = [Image.fromarray(gradient(60, 80)), Image.fromarray(255 - gradient(60, 80))]
    path = str(tmp / "anim.gif")
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return path


def exif_rotated(tmp):
    exif = Image.Exif()
    exif[0x0112] = 6  # displayed rotated 90 degrees clockwise
    return saved(tmp, "rotated.jpg", PHOTO, exif=exif)


def palette_with_transparency(tmp):
    image = PHOTO.convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    return saved(tmp, "palette.png", image, transparency=0)


# (id, make the input -> path, config overrides, expected error or None for "works")
IMAGE_CASES = [
    ("empty file", lambda t: write_bytes(t, "empty.png", b""), {}, "cannot read image"),
    ("truncated png", lambda t: write_bytes(t, "cut.png", encoded(NOISE, "PNG")[:3000]), {},
     "cannot read image"),
    ("truncated jpeg", lambda t: write_bytes(t, "cut.jpg", encoded(NOISE, "JPEG")[:3000]), {},
     "cannot read image"),
    ("text named .png", lambda t: write_bytes(t, "text.png", b"hello, not an image"), {},
     "cannot read image"),
    ("decompression bomb", lambda t: saved(t, "bomb.png", Image.new("1", (10000, 6000))), {},
     "above the limit"),
    ("pillow-size bomb", lambda t: saved(t, "huge.png", Image.new("1", (20000, 20000))), {},
     "cannot read image"),
    ("1x1 image", lambda t: saved(t, "dot.png", Image.new("RGB", (1, 1))), {}, "min_size=25"),
    ("below min_size", lambda t: saved(t, "small.png", PHOTO.resize((24, 30))), {},
     "min_size=25"),
    ("extreme aspect 2000x20", lambda t: saved(t, "strip.png", Image.new("RGB", (2000, 20))), {},
     "min_size=25"),
    ("extreme aspect 2000x40", lambda t: saved(t, "strip2.png", Image.new("RGB", (2000, 40))), {},
     "too small"),
    ("missing file", lambda t: str(t / "nowhere.png"), {}, "not found"),
    ("path through a file", lambda t: os.path.join(saved(t, "f.png", PHOTO), "x.png"), {},
     "not found"),
    ("directory as path", lambda t: str(t), {}, "is a directory"),
    ("negative max_size", lambda t: saved(t, "a.png", PHOTO), {"max_size": -5}, "max_size=-5"),
    ("min_size above max_size", lambda t: saved(t, "a.png", PHOTO),
     {"min_size": 60, "max_size": 50}, "max_size=50"),
    ("niter 0", lambda t: saved(t, "a.png", PHOTO), {"niter": 0}, "niter=0"),
    ("scale_factor 1.5", lambda t: saved(t, "a.png", PHOTO), {"scale_factor": 1.5},
     "scale_factor=1.5"),
    ("scale_factor 0", lambda t: saved(t, "a.png", PHOTO), {"scale_factor": 0.0},
     "scale_factor=0.0"),
    # Odd but valid: these must work.
    ("16-bit png", lambda t: saved(t, "g16.png", Image.fromarray(
        (gradient(60, 80)[..., 0].astype(np.uint16) * 257))), {}, None),
    ("grayscale", lambda t: saved(t, "gray.png", PHOTO.convert("L")), {}, None),
    ("gray + alpha", lambda t: saved(t, "la.png", PHOTO.convert("LA")), {}, None),
    ("1-bit", lambda t: saved(t, "bits.png", PHOTO.convert("1")), {}, None),
    ("palette with transparency", palette_with_transparency, {}, None),
    ("rgba fully transparent", lambda t: saved(t, "clear.png", Image.fromarray(np.concatenate(
        [gradient(60, 80), np.zeros((60, 80, 1), np.uint8)], -1))), {}, None),
    ("cmyk jpeg", lambda t: saved(t, "cmyk.jpg", PHOTO.convert("CMYK")), {}, None),
    ("exif-rotated jpeg", exif_rotated, {}, None),
    ("animated gif", animated_gif, {}, None),
    ("float tiff", lambda t: saved(t, "f.tif", Image.fromarray(
        gradient(60, 80)[..., 0].astype(np.float32))), {}, None),
    ("bmp", lambda t: saved(t, "a.bmp", PHOTO), {}, None),
]


@pytest.mark.parametrize("make, config, expected", [c[1:] for c in IMAGE_CASES],
                         ids=[c[0] for c in IMAGE_CASES])
def test_training_inputs(tmp_path, make, config, expected):
    path = make(tmp_path)
    if expected is None:
        image = prepare_for_training(path, **config)
        assert image.ndim == 3 and image.shape[-1] == 3 and image.dtype == np.float32
        assert -1 <= image.min() and image.max() <= 1
    else:
        with pytest.raises(SinGANError, match=expected):
            prepare_for_training(path, **config)


def test_odd_inputs_keep_their_content(tmp_path):
    assert images.load_image(exif_rotated(tmp_path)).shape == (80, 60, 3)  # orientation applied
    first = images.load_image(animated_gif(tmp_path))
    pixels = (first + 1) * 127.5  # the first frame, not the second (its negative)
    assert np.abs(pixels - gradient(60, 80)).mean() < np.abs(pixels - (255 - gradient(60, 80))).mean() / 4


# Model directories: (id, damage to a copy of a trained model, expected error)
MODEL_CASES = [
    ("other format version", lambda p: open(os.path.join(p, "model.json"), "w").write(
        '{"format": "singan_tf.model", "version": 0}'), "version 0"),
    ("corrupted weight file", lambda p: open(
        os.path.join(p, "scale_00", "generator.weights.h5"), "r+b").write(b"\0" * 64), "damaged"),
    ("truncated scale.json", lambda p: open(
        os.path.join(p, "scale_02", "scale.json"), "w").write('{"noise_amp"'), "damaged"),
    ("missing z_rec", lambda p: os.remove(os.path.join(p, "scale_00", "z_rec.npy")), "damaged"),
    ("not a model folder", lambda p: os.remove(os.path.join(p, "model.json")),
     "not a singan_tf model directory"),
]


@pytest.mark.parametrize("damage, expected", [c[1:] for c in MODEL_CASES],
                         ids=[c[0] for c in MODEL_CASES])
def test_model_directories(trained_model_dir, tmp_path, damage, expected):
    path = str(tmp_path / "model")
    shutil.copytree(trained_model_dir, path)
    damage(path)
    with pytest.raises(SinGANError, match=expected):
        ModelDir(path).load()


def test_model_dir_that_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(SinGANError, match="is a file"):
        ModelDir(str(tmp_path / "file")).prepare()


def test_the_table_is_at_least_25_rows():
    assert len(IMAGE_CASES) + len(MODEL_CASES) + 1 >= 25


# Outputs that cannot work, for every command: (command, arguments, message). Each is refused
# with one line before any work; a new command joins this table.

UNWRITABLE = "/sys/kernel"  # refused even to root: sysfs takes no new files

OUTPUT_CASES = [
    ("train", ["--image={image}", "--model_dir={file}"], "model_dir is a file"),
    ("train", ["--image={image}", f"--model_dir={UNWRITABLE}/m"],
     f"cannot write {UNWRITABLE}/m: Operation not permitted"),
    ("sample", ["--model_dir={model}", "--out_dir={file}"], "it is a file, not a folder"),
    ("sample", ["--model_dir={model}", f"--out_dir={UNWRITABLE}/out"], "Permission denied"),
    ("super_resolve", ["--image={image}", "--out={tmp}/sr.xyz"], "unknown image file extension"),
    ("super_resolve", ["--image={image}", "--out={file}/sr.png"], "is a file, not a folder"),
    ("super_resolve", ["--image={image}", f"--out={UNWRITABLE}/sr.png"], "Permission denied"),
    ("paint2image", ["--model_dir={model}", "--paint={image}", "--start_scale=1",
                     "--out={tmp}/o.xyz"], "unknown image file extension"),
    ("paint2image", ["--model_dir={model}", "--paint={image}", "--start_scale=1",
                     "--out={tmp}/folder.png"], "it is a folder"),
    ("harmonize", ["--model_dir={model}", "--naive={image}", "--mask={image}",
                   "--start_scale=1", "--out={file}/o.png"], "is a file, not a folder"),
    ("harmonize", ["--model_dir={model}", "--naive={image}", "--mask={image}",
                   "--start_scale=1", f"--out={UNWRITABLE}/o.png"], "Permission denied"),
    ("edit", ["--model_dir={model}", "--edited={image}", "--mask={image}", "--start_scale=1",
              "--out={tmp}/o.txt"], "unknown image file extension"),
    ("animate", ["--model_dir={model}", "--out={tmp}/a.png"], "needs the extension .gif"),
    ("animate", ["--model_dir={model}", "--out={tmp}/a.gif", "--frames_dir={file}"],
     "it is a file, not a folder"),
    ("evaluate", ["--real={image}", "--fakes={image}", "--json={tmp}/scores.txt"],
     "needs the extension .json"),
    ("evaluate", ["--real={image}", "--fakes={image}", f"--json={UNWRITABLE}/s.json"],
     "Permission denied"),
    ("export", ["--model_dir={model}", "--export_dir={file}/m"], "is a file"),
    ("export", ["--model_dir={model}", "--export_dir={tmp}/m", "--tflite",
                "--export_dir={tmp}/folder"], "it is a folder"),
    ("tflite_sample", ["--model={tflite}", "--out_dir={file}"], "it is a file, not a folder"),
    ("serving_client", ["--url=http://127.0.0.1:9/v1/models/x", "--out_dir={file}"],
     "it is a file, not a folder"),
    ("train_many", ["--images={image}", "--out_dir={file}"], "it is a file, not a folder"),
    ("train_many", ["--images={image}", f"--out_dir={UNWRITABLE}/out"], "Permission denied"),
]


@pytest.mark.parametrize("name, args, message", OUTPUT_CASES,
                         ids=[f"{c[0]}: {c[2]}" for c in OUTPUT_CASES])
def test_outputs_that_cannot_work_are_refused_before_any_work(
        command, trained_model_dir, tiny_image_path, tflite_path, tmp_path, name, args, message):
    from conftest import assert_one_line_error
    (tmp_path / "file").write_text("x")
    (tmp_path / "folder.tflite").mkdir()
    (tmp_path / "folder.png").mkdir()
    values = dict(image=tiny_image_path, model=trained_model_dir, tflite=tflite_path,
                  tmp=tmp_path, file=tmp_path / "file")
    before = sorted(os.listdir(tmp_path))
    assert_one_line_error(command(name, *[a.format(**values) for a in args]), message)
    assert sorted(os.listdir(tmp_path)) == before  # nothing made, nothing written


def test_every_command_is_in_the_output_table():
    from test_cli import COMMANDS
    assert {case[0] for case in OUTPUT_CASES} == set(COMMANDS)


# A write that fails (a full disk, an I/O error) at each kind of write: one line naming the
# path and the cause, exit status 1, no temporary left, what was there before intact.

def failing_writes(monkeypatch, fragment):
    """Every atomic write whose temporary's path contains `fragment` fails with ENOSPC when
    it is flushed, as a full disk fails it."""
    import errno
    from singan_tf.io import atomic
    sync = atomic._sync

    def failing(path):
        if fragment in path:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        sync(path)

    monkeypatch.setattr(atomic, "_sync", failing)


TINY_TRAINING = ["--max_size=22", "--min_size=20", "--niter=1", "--progress=false"]

WRITE_CASES = [
    ("model.json", "train", ["--image={image}", "--model_dir={tmp}/m", *TINY_TRAINING],
     "{tmp}/m/model.json"),
    ("checkpoint.npz", "train", ["--image={image}", "--model_dir={tmp}/m", *TINY_TRAINING],
     "{tmp}/m/checkpoint.npz"),
    ("scale_01", "train", ["--image={image}", "--model_dir={tmp}/m", *TINY_TRAINING],
     "{tmp}/m/scale_01/generator.weights.h5"),
    ("sample_001.png", "sample", ["--model_dir={model}", "--out_dir={tmp}/s", "--num_samples=3"],
     "{tmp}/s/sample_001.png"),
    ("saved_model.pb", "export", ["--model_dir={model}", "--export_dir={tmp}/e"],
     "{tmp}/e/1"),
    ("e.tflite", "export", ["--model_dir={model}", "--export_dir={tmp}/e", "--tflite"],
     "{tmp}/e.tflite"),
    ("a.gif", "animate", ["--model_dir={model}", "--out={tmp}/a.gif", "--frames=2"],
     "{tmp}/a.gif"),
    ("scores.json", "evaluate", ["--real={image}", "--fakes={image}", "--json={tmp}/scores.json"],
     "{tmp}/scores.json"),
]


@pytest.mark.parametrize("fragment, name, args, path", WRITE_CASES,
                         ids=[c[0] for c in WRITE_CASES])
def test_a_failed_write_is_one_line_and_leaves_no_half_file(
        command, monkeypatch, trained_model_dir, tiny_image_path, tmp_path, fragment, name,
        args, path):
    from conftest import assert_one_line_error
    values = dict(image=tiny_image_path, model=trained_model_dir, tmp=tmp_path)
    failing_writes(monkeypatch, fragment)
    result = command(name, *[a.format(**values) for a in args])
    assert_one_line_error(result, f"cannot write {path.format(**values)}: No space left on device")
    leftovers = [os.path.join(root, f) for root, dirs, files in os.walk(tmp_path)
                 for f in files + dirs if f.startswith((".tmp.", ".partial.", ".old."))]
    assert leftovers == []


def test_a_failed_scale_write_keeps_the_run_resumable(command, monkeypatch, tiny_image_path,
                                                     tmp_path):
    failing_writes(monkeypatch, "scale_01")
    model = tmp_path / "m"
    result = command("train", f"--image={tiny_image_path}", f"--model_dir={model}",
                     *TINY_TRAINING)
    assert "continue with --resume" in result.stderr
    assert ModelDir(str(model)).trained_scales() == 1
    assert ModelDir(str(model)).checkpoint(1).load() is not None
    monkeypatch.undo()
    result = command("train", f"--model_dir={model}", "--resume")
    assert result.returncode == 0, result.stderr
    assert ModelDir(str(model)).is_complete()


def test_a_log_folder_that_cannot_be_written_is_one_line(command, tiny_image_path, tmp_path):
    from conftest import assert_one_line_error
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "logs").write_text("not a folder")
    result = command("train", f"--image={tiny_image_path}", f"--model_dir={tmp_path / 'm'}",
                     *TINY_TRAINING)
    assert_one_line_error(result, f"cannot write {tmp_path / 'm' / 'logs'}: Not a directory")


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB filesystem of its own (tmpfs), to fill; skipped where this process may not mount."""
    import subprocess
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.strip() or 'no mount'}): "
                    "the injected write errors above cover the same paths")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def fill(folder):
    """Writes a file into `folder` until its filesystem has no space left."""
    with open(os.path.join(folder, "filler"), "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass


def test_a_full_disk_stops_training_with_one_line_and_resume_continues(
        command, monkeypatch, tiny_image_path, small_disk):
    """The disk fills just before scale 1 is written (a real ENOSPC from h5py's weights
    writer); once the space is free, --resume finishes the run."""
    from conftest import assert_one_line_error
    write_scale = ModelDir.write_scale

    def full_before_scale_1(self, n, *args, **kwargs):
        if n == 1:
            fill(small_disk)
        return write_scale(self, n, *args, **kwargs)

    monkeypatch.setattr(ModelDir, "write_scale", full_before_scale_1)
    model = small_disk / "m"
    result = command("train", f"--image={tiny_image_path}", f"--model_dir={model}",
                     *TINY_TRAINING)
    assert_one_line_error(result, "No space left on device; training stopped at scale 1")
    assert f"cannot write {model / 'scale_01'}" in result.stderr
    assert ModelDir(str(model)).trained_scales() == 1
    ModelDir(str(model)).load()
    assert ModelDir(str(model)).checkpoint(1).load() is not None
    monkeypatch.undo()
    os.remove(small_disk / "filler")
    result = command("train", f"--model_dir={model}", "--resume", "--progress=false")
    assert result.returncode == 0, result.stderr
    assert ModelDir(str(model)).is_complete()
