"""Exports a trained model for serving: a versioned SavedModel, optionally a .tflite.

  python -m singan_tf.export --model_dir=DIR --export_dir=saved_models/NAME [--version=N] [--tflite]

writes saved_models/NAME/N/ (TF Serving's layout; N = highest existing + 1 when
not given, an existing version is refused) and, with --tflite,
saved_models/NAME.tflite (sampling at the training size; replaced if present).
"""

import os

from absl import flags

from singan_tf import cli
from singan_tf.errors import WriteError

FLAGS = cli.flag_values()
flags.DEFINE_string("model_dir", None, "A trained model directory.", flag_values=FLAGS)
flags.DEFINE_string("export_dir", None, "TF Serving model base path, e.g. saved_models/NAME.",
                    flag_values=FLAGS)
flags.DEFINE_integer("version", None, "Version to write (default: highest existing + 1).",
                     lower_bound=1, flag_values=FLAGS)
flags.DEFINE_bool("tflite", False, "Also write EXPORT_DIR.tflite (builtin ops only).",
                  flag_values=FLAGS)
flags.DEFINE_integer("max_batch", 16, "Largest number of seeds one request may ask for.",
                     lower_bound=1, flag_values=FLAGS)
flags.DEFINE_integer("max_pixels", 4_194_304,
                     "Largest batch x height x width one request may produce.", lower_bound=1,
                     flag_values=FLAGS)
flags.mark_flags_as_required(["model_dir", "export_dir"], flag_values=FLAGS)


def main():
    from singan_tf.deploy import serving, tflite  # TensorFlow loads here
    from singan_tf.io import atomic
    from singan_tf.io.model_dir import ModelDir

    export_dir = FLAGS.export_dir.rstrip("/")
    atomic.check_writable_dir(export_dir)
    tflite_path = export_dir + ".tflite"
    if FLAGS.tflite and os.path.isdir(tflite_path):
        raise WriteError(f"cannot write {tflite_path}: it is a folder")
    model, _ = ModelDir(FLAGS.model_dir).load()
    path = serving.save(model, export_dir, FLAGS.version, FLAGS.max_batch, FLAGS.max_pixels)
    print(f"SavedModel written to {path}")
    if FLAGS.tflite:
        with atomic.open_replacing(tflite_path, "wb") as f:
            f.write(tflite.convert(model))
        print(f"TFLite model written to {tflite_path}")


if __name__ == "__main__":
    cli.run(main, FLAGS)
