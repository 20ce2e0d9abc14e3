"""The run's summary.json, summary.csv and contact sheet."""

import csv
import json

from singan_tf.cluster import jobs, summary

DONE = {"name": "zebra", "image": "/d/zebra.png", "status": "done", "this_run": "trained",
        "scales": 7, "size": [167, 250], "train_seconds": 1800.0, "swd": 0.05,
        "nn_fake_to_real": 0.1, "nn_real_to_fake": 0.2, "diversity": 0.3,
        "samples": [f"samples/sample_{i:03d}.png" for i in range(6)], "error": "",
        "started_from": "scratch"}
FAILED = {"name": "bad", "image": "/d/bad.png", "status": "failed", "this_run": "failed",
          "error": "cannot read image /d/bad.png: <not an image>"}


def test_the_three_files_list_every_image(tmp_path):
    queued = summary.queued_row(jobs.Job("later", "/d/later.png", str(tmp_path / "later")))
    summary.write(str(tmp_path), [DONE, FAILED, queued])
    data = json.loads((tmp_path / "summary.json").read_text())
    assert data["counts"] == {"done": 1, "failed": 1, "queued": 1, "total": 3}
    assert [row["name"] for row in data["images"]] == ["zebra", "bad", "later"]
    with open(tmp_path / "summary.csv") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["swd"] == "0.05" and rows[0]["scales"] == "7"
    assert rows[1]["error"] == FAILED["error"] and rows[2]["status"] == "queued"
    page = (tmp_path / "index.html").read_text()
    assert '<img src="zebra/real.png"' in page
    assert page.count('src="zebra/samples/') == summary.SHOWN_SAMPLES
    assert "&lt;not an image&gt;" in page  # errors are escaped
    assert "1 done, 1 failed, 1 queued, 3 images" in page
