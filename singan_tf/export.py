"""Exports trained models for serving: versioned SavedModels, optionally .tflite files.

One model:
  python -m singan_tf.export --model_dir=DIR --export_dir=saved_models/NAME [--version=N] [--tflite]
writes saved_models/NAME/N/ (TF Serving's layout; N = highest existing + 1 when
not given, an existing version is refused) and, with --tflite,
saved_models/NAME.tflite (sampling at the training size; replaced if present).

Many models, one server:
  python -m singan_tf.export --models=DIR_OR_GLOB --export_root=saved_models [--tflite]
exports every trained model directory (DIR itself, the model directories in
DIR, or those a glob matches) to EXPORT_ROOT/<folder name>/N/ and writes
EXPORT_ROOT/models.config, TF Serving's model_config_list of every model
exported there (tensorflow_model_server --model_config_file=...).
"""

import glob
import os

from absl import flags

from singan_tf import cli
from singan_tf.errors import ConfigError, WriteError

FLAGS = cli.flag_values()
flags.DEFINE_string("model_dir", None, "A trained model directory.", flag_values=FLAGS)
flags.DEFINE_string("export_dir", None, "TF Serving model base path, e.g. saved_models/NAME.",
                    flag_values=FLAGS)
flags.DEFINE_string("models", None, "Many models: a model directory, a folder of them, or a "
                    "glob (quote it); each is exported under --export_root by its folder name.",
                    flag_values=FLAGS)
flags.DEFINE_string("export_root", None, "With --models: the folder of exported models, where "
                    "models.config is written.", flag_values=FLAGS)
flags.DEFINE_string("serving_root", None, "With --models: where the server sees --export_root "
                    "(a container mount such as /models); default its absolute path here.",
                    flag_values=FLAGS)
flags.DEFINE_integer("version", None, "Version to write (default: highest existing + 1).",
                     lower_bound=1, flag_values=FLAGS)
flags.DEFINE_bool("tflite", False, "Also write EXPORT_DIR.tflite (builtin ops only).",
                  flag_values=FLAGS)
flags.DEFINE_integer("max_batch", 16, "Largest number of images one request may ask for.",
                     lower_bound=1, flag_values=FLAGS)
flags.DEFINE_integer("max_pixels", 4_194_304,
                     "Largest batch x height x width one request may produce.", lower_bound=1,
                     flag_values=FLAGS)


def model_dirs(pattern):
    """The trained model directories `pattern` names, by export name (their folder's name)."""
    from singan_tf.deploy import model_config
    from singan_tf.io.model_dir import MANIFEST

    def is_model(path):
        return os.path.isfile(os.path.join(path, MANIFEST))

    if glob.has_magic(pattern):
        found = [p for p in sorted(glob.glob(pattern)) if is_model(p)]
    elif is_model(pattern):
        found = [pattern]
    elif os.path.isdir(pattern):
        found = [os.path.join(pattern, e) for e in sorted(os.listdir(pattern))
                 if is_model(os.path.join(pattern, e))]
    else:
        raise ConfigError(f"--models: no such folder: {pattern}")
    by_name = {}
    for path in found:
        name = model_config.check_name(os.path.basename(os.path.normpath(path)))
        if name in by_name:
            raise ConfigError(f"--models: two models would be exported as {name!r}: "
                              f"{by_name[name]} and {path}")
        by_name[name] = path
    if not by_name:
        raise ConfigError(f"--models: no model directory (with model.json) in {pattern}")
    return by_name


def _check_flags():
    one, many = FLAGS.model_dir or FLAGS.export_dir, FLAGS.models or FLAGS.export_root
    if one and many:
        raise ConfigError("give --model_dir and --export_dir, or --models and --export_root, "
                          "not both")
    if many and not (FLAGS.models and FLAGS.export_root):
        raise ConfigError("--models and --export_root go together")
    if not many and not (FLAGS.model_dir and FLAGS.export_dir):
        raise ConfigError("give --model_dir and --export_dir (one model) or --models and "
                          "--export_root (many)")
    if FLAGS.serving_root and not many:
        raise ConfigError("--serving_root applies to --export_root's models.config")


def _export(model_dir, export_dir):
    from singan_tf.deploy import serving, tflite
    from singan_tf.io import atomic
    from singan_tf.io.model_dir import ModelDir

    model, _ = ModelDir(model_dir).load()
    path = serving.save(model, export_dir, FLAGS.version, FLAGS.max_batch, FLAGS.max_pixels)
    print(f"SavedModel written to {path}")
    if FLAGS.tflite:
        with atomic.open_replacing(export_dir + ".tflite", "wb") as f:
            f.write(tflite.convert(model))
        print(f"TFLite model written to {export_dir}.tflite")


def _check_places(export_dir):
    from singan_tf.io import atomic

    atomic.check_writable_dir(export_dir)
    if FLAGS.tflite and os.path.isdir(export_dir + ".tflite"):
        raise WriteError(f"cannot write {export_dir}.tflite: it is a folder")


def main():
    from singan_tf.deploy import model_config
    from singan_tf.io.model_dir import ModelDir  # TensorFlow loads from here on

    _check_flags()
    if FLAGS.model_dir:
        export_dir = FLAGS.export_dir.rstrip("/")
        _check_places(export_dir)
        _export(FLAGS.model_dir, export_dir)
        return
    root = FLAGS.export_root.rstrip("/")
    chosen = model_dirs(FLAGS.models)
    for name, path in list(chosen.items()):
        if not ModelDir(path).is_complete():
            print(f"skipped {path}: its training is not complete")
            del chosen[name]
    if not chosen:
        raise ConfigError(f"--models: no completely trained model in {FLAGS.models}")
    for name in chosen:
        _check_places(os.path.join(root, name))
    for name, path in chosen.items():
        _export(path, os.path.join(root, name))
    config, names = model_config.write(root, FLAGS.serving_root)
    print(f"{config} lists {len(names)} models: {', '.join(names)}")


if __name__ == "__main__":
    cli.run(main, FLAGS)
