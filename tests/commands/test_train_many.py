"""The train_many command on Ray, on this machine: one Ray runtime for the module (2 CPUs).

Three tiny images train as tasks of one CPU each, two at a time; two bad files fail their
own rows. One task's worker is killed (SIGKILL) mid-image: Ray retries it, the retry
resumes from the checkpoint and ends with the model an uninterrupted run makes.
"""

import csv
import json
import os
import shutil
import signal
import threading
import time

import numpy as np
import pytest

from conftest import assert_one_line_error, make_tiny_image, run_module, write_png
from singan_tf import cli
from singan_tf.io.model_dir import ModelDir

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install -e \".[cluster]\"")


@pytest.fixture(scope="module")
def ray_runtime():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="WARNING",
             object_store_memory=100 * 1024 ** 2)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def folder(tmp_path_factory, tiny_image_path):
    """a/tiny.png and b/tiny.png (one name, two folders, the same pixels), c.png, and two
    files that cannot train: not an image, and smaller than the coarsest scale."""
    root = tmp_path_factory.mktemp("many")
    for sub in ("a", "b"):
        os.makedirs(root / sub)
        shutil.copy(tiny_image_path, root / sub / "tiny.png")
    write_png(make_tiny_image(28, 32)[::-1], root / "c.png")
    (root / "bad.png").write_bytes(b"not an image")
    write_png(make_tiny_image(16, 16), root / "small.png")
    return root


def train_many(images, out_dir, tiny_config, *extra):
    config_flags = [f"--{k}={v}" for k, v in tiny_config.to_dict().items()]
    return ["train_many", f"--images={images}", f"--out_dir={out_dir}",
            "--num_samples=3", "--cpus_per_image=1", "--checkpoint_every=5", *config_flags,
            *extra]


def run_in_thread(module, argv):
    result = {}
    thread = threading.Thread(target=lambda: result.update(
        code=cli.execute(module.main, module.FLAGS, argv)))
    thread.start()
    return thread, result


def wait_for(condition, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def weights(path):
    model, _ = ModelDir(path).load()
    return [w for g in model.generators for w in g.get_weights()] + [np.array(model.noise_amps)]


@pytest.fixture(scope="module")
def first_run(ray_runtime, folder, tiny_config, tmp_path_factory):
    """The command run once, with the worker of a/tiny.png killed after its scale 0."""
    from singan_tf import train_many as module
    out = tmp_path_factory.mktemp("out")
    killed = out / "a_tiny_png"
    thread, result = run_in_thread(module, train_many(folder / "**" / "*.png", out, tiny_config))
    wait_for(lambda: (killed / "scale_00" / "scale.json").exists())
    holder = json.loads((killed / ".lock").read_text())
    assert holder["pid"] != os.getpid()
    scale_0 = (killed / "scale_00" / "generator.weights.h5").stat().st_mtime_ns
    os.kill(holder["pid"], signal.SIGKILL)
    thread.join(timeout=600)
    return out, result["code"], scale_0


def test_every_good_image_completes_and_bad_files_fail_their_rows(first_run):
    out, code, _ = first_run
    assert code == 1  # two images failed
    rows = {row["name"]: row for row in json.loads((out / "summary.json").read_text())["images"]}
    assert sorted(rows) == ["a_tiny_png", "b_tiny_png", "bad", "c", "small"]
    for name in ("a_tiny_png", "b_tiny_png", "c"):
        assert rows[name]["status"] == "done", rows[name]
        assert rows[name]["scales"] >= 3 and 0 < rows[name]["diversity"] < 1
        assert len(os.listdir(out / name / "samples")) == 3
    assert rows["bad"]["error"].startswith("cannot read image")
    assert "must be at least min_size=20" in rows["small"]["error"]
    assert not (out / "bad").exists() and not (out / "small").exists()
    with open(out / "summary.csv") as f:
        assert {r["name"]: r["status"] for r in csv.DictReader(f)}["c"] == "done"
    page = (out / "index.html").read_text()
    assert page.count('<img src="c/') == 4  # the training image and its 3 samples


def test_a_killed_worker_is_retried_and_resumes_to_the_uninterrupted_model(first_run):
    out, _, scale_0 = first_run
    rows = {row["name"]: row for row in json.loads((out / "summary.json").read_text())["images"]}
    assert rows["a_tiny_png"]["this_run"] == "resumed", rows["a_tiny_png"]
    assert rows["a_tiny_png"]["started_from"] != "scale 0"
    assert rows["b_tiny_png"]["this_run"] == "trained"
    # Resumed, not retrained: scale 0 is the one written before the kill.
    assert (out / "a_tiny_png" / "scale_00" / "generator.weights.h5").stat().st_mtime_ns == scale_0
    for a, b in zip(weights(str(out / "a_tiny_png")), weights(str(out / "b_tiny_png"))):
        np.testing.assert_array_equal(a, b)


def test_the_same_command_again_keeps_every_finished_image(first_run, folder, tiny_config,
                                                          command):
    out, _, _ = first_run
    done = [out / name for name in ("a_tiny_png", "b_tiny_png", "c")]
    before = {p: p.stat().st_mtime_ns for d in done for p in d.rglob("*")}
    result = command(*train_many(folder / "**" / "*.png", out, tiny_config))
    assert "5 images: 3 finished earlier, 2 to train" in result.stdout
    assert_one_line_error(result, "2 of 5 images failed, the first: bad: cannot read image")
    assert {p: p.stat().st_mtime_ns for d in done for p in d.rglob("*")} == before
    rows = json.loads((out / "summary.json").read_text())["images"]
    assert [r["this_run"] for r in rows if r["status"] == "done"] == ["skipped"] * 3


def test_a_task_no_node_can_hold_is_refused(ray_runtime, folder, tiny_config, tmp_path,
                                            command):
    result = command(*train_many(folder / "c.png", tmp_path / "out", tiny_config,
                                 "--cpus_per_image=3"))
    assert_one_line_error(result, "no Ray node has 3 CPUs and 0 GPUs for one image")


@pytest.mark.parametrize("flags, message", [
    (["--num_samples=1"], "num_samples"),
    (["--cpus_per_image=0"], "cpus_per_image"),
    (["--niter=0"], "niter=0 must be at least 1"),
])
def test_bad_flags_are_one_line(folder, tiny_config, tmp_path, command, flags, message):
    result = command(*train_many(folder / "**" / "*.png", tmp_path / "out", tiny_config, *flags))
    assert_one_line_error(result, message)
    assert not (tmp_path / "out").exists()


def test_no_images_is_one_line(tmp_path, tiny_config, command):
    result = command(*train_many(tmp_path / "nothing", tmp_path / "out", tiny_config))
    assert_one_line_error(result, "no images found")
    assert not (tmp_path / "out").exists()


def test_as_a_user_runs_it_joining_the_cluster_by_address(first_run, folder, tiny_config):
    out, _, _ = first_run
    address = ray.get_runtime_context().gcs_address
    result = run_module("singan_tf.train_many", *train_many(folder / "**" / "*.png", out,
                                                            tiny_config)[1:],
                        f"--ray_address={address}")
    assert "Ray: 1 node, 2 CPUs, 0 GPUs" in result.stdout, result.stderr[-2000:]
    assert "bad: failed (cannot read image" in result.stdout
    assert_one_line_error(result, "2 of 5 images failed")


def test_a_cluster_that_does_not_answer_is_one_line(folder, tiny_config, tmp_path):
    result = run_module("singan_tf.train_many", *train_many(folder / "c.png", tmp_path / "out",
                                                            tiny_config)[1:],
                        "--ray_address=127.0.0.1:1")
    assert_one_line_error(result, "cannot reach the Ray cluster at 127.0.0.1:1")
    assert not (tmp_path / "out").exists()
