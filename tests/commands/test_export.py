"""The export command: TF Serving's layout, a .tflite beside it, versions never overwritten."""

import os
import shutil

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


def test_many_models_are_exported_by_name_with_a_models_config(command, trained_model_dir,
                                                                tmp_path):
    from google.protobuf import text_format
    from tensorflow_serving.config import model_server_config_pb2

    runs = tmp_path / "runs"
    for name in ("birds", "lake", "unfinished"):
        shutil.copytree(trained_model_dir, runs / name)
    last = max(p for p in os.listdir(runs / "unfinished") if p.startswith("scale_"))
    shutil.rmtree(runs / "unfinished" / last)
    (runs / "notes").mkdir()
    root = tmp_path / "saved_models"
    result = command("export", f"--models={runs}", f"--export_root={root}",
                     "--serving_root=/models")
    assert result.returncode == 0, result.stderr
    assert "skipped" in result.stdout and "unfinished" in result.stdout
    assert sorted(os.listdir(root)) == ["birds", "lake", "models.config"]
    config = text_format.Parse((root / "models.config").read_text(),
                               model_server_config_pb2.ModelServerConfig())
    served = {c.name: c.base_path for c in config.model_config_list.config}
    assert served == {"birds": "/models/birds", "lake": "/models/lake"}
    assert all(c.model_platform == "tensorflow" for c in config.model_config_list.config)

    # A glob picks models by pattern; the config lists everything exported under the root.
    shutil.copytree(trained_model_dir, tmp_path / "more" / "sea")
    result = command("export", f"--models={tmp_path / 'more' / 's*'}", f"--export_root={root}")
    assert result.returncode == 0, result.stderr
    config = text_format.Parse((root / "models.config").read_text(),
                               model_server_config_pb2.ModelServerConfig())
    assert [c.name for c in config.model_config_list.config] == ["birds", "lake", "sea"]
    assert config.model_config_list.config[2].base_path == str(root / "sea")


def test_many_models_refuse_names_that_collide_or_cannot_be_served(command, trained_model_dir,
                                                                    tmp_path):
    for folder in ("a", "b"):
        shutil.copytree(trained_model_dir, tmp_path / folder / "same")
    root = tmp_path / "saved_models"
    assert_one_line_error(command("export", f"--models={tmp_path}/*/same",
                                  f"--export_root={root}"), "two models would be exported as")
    shutil.copytree(trained_model_dir, tmp_path / "c" / "bad name")
    assert_one_line_error(command("export", f"--models={tmp_path / 'c'}",
                                  f"--export_root={root}"), "cannot be served")
    assert_one_line_error(command("export", f"--models={tmp_path / 'a'}",
                                  f"--export_dir={root}"), "not both")
    assert not root.exists()
