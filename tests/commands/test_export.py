"""The export command: TF Serving's layout, a .tflite beside it, versions never overwritten."""

import os

from conftest import assert_one_line_error, run_module


def test_writes_a_version_and_a_tflite_and_refuses_an_existing_version(command,
                                                                       trained_model_dir,
                                                                       tmp_path):
    export_dir = tmp_path / "saved_models" / "tiny"
    result = command("export", f"--model_dir={trained_model_dir}", f"--export_dir={export_dir}",
                     "--tflite")
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(export_dir)) == ["1"]
    assert os.path.getsize(str(export_dir) + ".tflite") > 0
    assert_one_line_error(command("export", f"--model_dir={trained_model_dir}",
                                  f"--export_dir={export_dir}", "--version=1"),
                          "version 1 already exists")
    assert sorted(os.listdir(export_dir)) == ["1"]


def test_bad_places_are_refused_before_any_work(command, trained_model_dir, tmp_path):
    (tmp_path / "file").write_text("x")
    (tmp_path / "m.tflite").mkdir()
    assert_one_line_error(command("export", f"--model_dir={trained_model_dir}",
                                  f"--export_dir={tmp_path / 'file' / 'm'}"), "is a file")
    assert_one_line_error(command("export", f"--model_dir={trained_model_dir}",
                                  f"--export_dir={tmp_path / 'm'}", "--tflite"), "it is a folder")
    assert sorted(os.listdir(tmp_path)) == ["file", "m.tflite"]


def test_smoke_in_a_fresh_process(trained_model_dir, tmp_path):
    result = run_module("singan_tf.export", f"--model_dir={trained_model_dir}",
                        f"--export_dir={tmp_path / 'm'}")
    assert result.returncode == 0 and result.stderr == "", result.stderr[-3000:]
    assert os.path.isfile(tmp_path / "m" / "1" / "saved_model.pb")
