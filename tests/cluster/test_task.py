"""One image's task without Ray: it waits for the model directory's lock, keeps what is done,
refuses to resume a run under another config, and fails its own row on a bad image."""

import json
import os
import shutil
import threading
import time

from singan_tf.cluster import jobs, task
from singan_tf.config import TrainConfig
from singan_tf.io.model_dir import ModelDir


def copied_model(trained_model_dir, tmp_path, name="m", scales=None):
    path = tmp_path / name
    shutil.copytree(trained_model_dir, path)
    for scale in sorted(path.glob("scale_*"))[scales:] if scales is not None else []:
        shutil.rmtree(scale)
    return str(path)


def test_a_second_attempt_waits_for_the_first_then_keeps_its_work(
        trained_model_dir, tiny_image_path, tiny_config, tmp_path):
    job = jobs.Job("m", str(tiny_image_path), copied_model(trained_model_dir, tmp_path))
    rows = []
    with ModelDir(job.model_dir).lock():  # the first attempt, still running
        thread = threading.Thread(target=lambda: rows.append(
            task.run_job(job, tiny_config, num_samples=3)))
        thread.start()
        time.sleep(1.0)
        assert not os.path.exists(os.path.join(job.model_dir, task.RESULT))
    thread.join(timeout=120)
    [row] = rows
    assert row["status"] == "done" and row["started_from"] == "complete", row
    assert row["train_seconds"] == 0.0 and row["scales"] == 4
    assert sorted(os.listdir(os.path.join(job.model_dir, task.SAMPLES))) == \
        ["sample_000.png", "sample_001.png", "sample_002.png"]
    saved = json.loads(open(os.path.join(job.model_dir, task.RESULT)).read())
    assert saved["swd"] == row["swd"] and 0 < row["diversity"] < 1
    stamp = os.stat(os.path.join(job.model_dir, task.RESULT)).st_mtime_ns

    again = task.run_job(job, tiny_config, num_samples=3)
    assert again["this_run"] == "skipped" and again["swd"] == row["swd"]
    assert os.stat(os.path.join(job.model_dir, task.RESULT)).st_mtime_ns == stamp


def test_an_unfinished_run_under_another_config_fails_its_row(
        trained_model_dir, tiny_image_path, tiny_config, tmp_path):
    job = jobs.Job("m", str(tiny_image_path), copied_model(trained_model_dir, tmp_path, scales=2))
    row = task.run_job(job, TrainConfig(max_size=32, min_size=20, niter=7, seed=3),
                       given={"niter": 7})
    assert row["status"] == "failed"
    assert "--niter=7 differs from the run being resumed" in row["error"]
    assert ModelDir(job.model_dir).trained_scales() == 2  # untouched


def test_a_bad_image_fails_its_row_and_writes_nothing(tiny_config, tmp_path):
    (tmp_path / "bad.png").write_bytes(b"not an image")
    job = jobs.Job("bad", str(tmp_path / "bad.png"), str(tmp_path / "out" / "bad"))
    row = task.run_job(job, tiny_config)
    assert row["status"] == "failed" and row["error"].startswith("cannot read image")
    assert "\n" not in row["error"]
    assert not (tmp_path / "out").exists()
