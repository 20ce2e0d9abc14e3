"""tools/quality_report.py's tables and report (its training runs are too slow for a test)."""

import importlib.util
import os

from absl import flags
import numpy as np
import pytest

from conftest import REPO


def load_tool():
    spec = importlib.util.spec_from_file_location(
        "quality_report", os.path.join(REPO, "tools", "quality_report.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


quality_report = load_tool()

ROW = {"image": "3", "method": "fast", "train_seconds": 1801.4, "scale": "N", "swd": 0.12345,
       "nn_fake_to_real": 0.05, "nn_real_to_fake": 0.0712, "diversity": 0.4567}
PEER = {"image": "3", "method": "SinGAN (GPU)", "scale": "N", "swd": 0.2, "nn_fake_to_real": 0.1,
        "nn_real_to_fake": 0.1, "diversity": 0.5}


def test_markdown_table():
    lines = quality_report.markdown_table([ROW, PEER]).splitlines()
    assert lines[0] == ("| image | samples of | train time | from | SWD | NN fake>real "
                        "| NN real>fake | diversity |")
    assert lines[1] == "|---|---|---|---|---|---|---|---|"
    assert lines[2] == "| 3 | fast | 1801 s | N | 0.1235 | 0.0500 | 0.0712 | 0.457 |"
    assert lines[3] == "| 3 | SinGAN (GPU) | - | N | 0.2000 | 0.1000 | 0.1000 | 0.500 |"


def test_mean_rows_average_per_method_and_scale():
    rows = [ROW, {**ROW, "image": "4", "swd": 0.2, "train_seconds": 1800.0}, PEER,
            {**ROW, "scale": "N-1", "diversity": None}]
    means = {(m["method"], m["scale"]): m for m in quality_report.mean_rows(rows)}
    assert means["fast", "N"]["swd"] == pytest.approx((0.12345 + 0.2) / 2)
    assert means["fast", "N"]["image"] == "mean of 2"
    assert means["SinGAN (GPU)", "N"]["train_seconds"] is None
    assert means["fast", "N-1"]["diversity"] is None


def test_report_leads_with_the_means(tmp_path):
    path = tmp_path / "report.md"
    quality_report.write_report([ROW, PEER], [("3", "pictures/3.png")], "fast", "preset", path)
    text = path.read_text()
    assert text.startswith("# Sample quality: `fast`\n\npreset\n")
    assert text.index("## Mean") < text.index("## Per image") < text.index("![3](pictures/3.png)")


def test_writes_under_runs_never_docs():
    assert quality_report.FLAGS["work_dir"].default == os.path.join(REPO, "runs", "quality")


def test_jpeg_round_trip_is_lossy_at_the_peers_quality_and_off_at_zero():
    pixels = np.random.default_rng(0).uniform(-1, 1, (16, 16, 3)).astype(np.float32)
    assert quality_report.as_jpeg(pixels, 0) is pixels
    assert 0.01 < np.abs(quality_report.as_jpeg(pixels, 80) - pixels).mean() < 0.5


def test_noise_gains_repeat_and_are_at_least_zero():
    values = quality_report.FLAGS
    try:
        values(["quality_report", "--noise_gain=1", "--noise_gain=8"])
        assert values.noise_gain == [1.0, 8.0]
        with pytest.raises(flags.IllegalFlagValueError, match="noise_gain"):
            values(["quality_report", "--noise_gain=-2"])
    finally:
        values.unparse_flags()
