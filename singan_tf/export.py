"""Exports a trained model for serving: a versioned SavedModel, optionally a .tflite.

  python -m singan_tf.export --model_dir=DIR --export_dir=saved_models/NAME [--version=N] [--tflite]

writes saved_models/NAME/N/ (TF Serving's layout; N = highest existing + 1 when
not given, an existing version is refused) and, with --tflite,
saved_models/NAME.tflite (sampling at the training size; replaced if present).
"""

import os

from absl import flags

from singan_tf import cli, model_dir as model_dir_lib, serving, tflite_export

flags.DEFINE_string("model_dir", None, "A trained model directory.")
flags.DEFINE_string("export_dir", None, "TF Serving model base path, e.g. saved_models/NAME.")
flags.DEFINE_integer("version", None, "Version to write (default: highest existing + 1).", lower_bound=1)
flags.DEFINE_bool("tflite", False, "Also write EXPORT_DIR.tflite (builtin ops only).")
flags.DEFINE_integer("max_batch", 16, "Largest number of seeds one request may ask for.", lower_bound=1)
flags.DEFINE_integer("max_pixels", 4_194_304,
                     "Largest batch x height x width one request may produce.", lower_bound=1)
flags.mark_flags_as_required(["model_dir", "export_dir"])
FLAGS = flags.FLAGS


def main(argv):
    del argv
    model, _ = model_dir_lib.load(FLAGS.model_dir)
    export_dir = FLAGS.export_dir.rstrip("/")
    path = serving.save(model, export_dir, FLAGS.version, FLAGS.max_batch, FLAGS.max_pixels)
    print(f"SavedModel written to {path}")
    if FLAGS.tflite:
        tflite_path = export_dir + ".tflite"
        tmp_path = tflite_path + ".tmp"
        with open(tmp_path, "wb") as f:
            f.write(tflite_export.convert(model))
        os.replace(tmp_path, tflite_path)
        print(f"TFLite model written to {tflite_path}")


if __name__ == "__main__":
    cli.run(main)
