"""benchmarks/quality.py's report (its training runs are too slow for a test)."""

import importlib.util
import os

from conftest import REPO


def load_quality():
    spec = importlib.util.spec_from_file_location(
        "quality", os.path.join(REPO, "benchmarks", "quality.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


quality = load_quality()

ROW = {"image": "zebra.png", "preset": "quick", "train_seconds": 301.4, "scale": "N",
       "swd": 0.12345, "nn_fake_to_real": 0.05, "nn_real_to_fake": 0.0712, "diversity": 0.4567}


def test_markdown_table():
    lines = quality.markdown_table([ROW, {**ROW, "scale": "N-1", "train_seconds": None,
                                          "diversity": None}]).splitlines()
    assert lines[0] == ("| image | preset | train time | samples from | SWD | NN fake>real "
                        "| NN real>fake | diversity |")
    assert lines[1] == "|---|---|---|---|---|---|---|---|"
    assert lines[2] == "| zebra.png | quick | 301 s | N | 0.1235 | 0.0500 | 0.0712 | 0.457 |"
    assert lines[3] == "| zebra.png | quick | - | N-1 | 0.1235 | 0.0500 | 0.0712 | - |"


def test_sifid_column_only_when_measured(tmp_path):
    table = quality.markdown_table([{**ROW, "sifid": 0.09}, ROW])
    assert table.splitlines()[0].endswith("| diversity | SIFID |")
    assert table.splitlines()[2].endswith("| 0.457 | 0.0900 |")
    assert table.splitlines()[3].endswith("| 0.457 | - |")
    out = tmp_path / "docs" / "quality.md"
    quality.write_report([ROW], "quick", 50, str(out))
    text = out.read_text()
    assert text.startswith("# Sample quality: preset `quick`") and "50 samples per row" in text
    assert text.endswith(quality.markdown_table([ROW]) + "\n")
