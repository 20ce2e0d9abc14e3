"""Scores fakes against the real image they imitate.

  python -m singan_tf.evaluate --real=REAL.png --fakes=DIR_OR_GLOB [--json=OUT.json]
      [--inception_weights=PATH [--sifid_layer=64|192]] [--reference=HR.png]

Prints one row per fake and their mean; --json writes the same numbers as an
object (see `metrics.report.evaluate_samples`). Lower is better for every
distance; diversity is null when the fakes differ in size. SIFID needs Keras
InceptionV3 weights without the top (never downloaded); PSNR/SSIM against
--reference use the fakes of the reference's size.
"""

import json
import os

from absl import flags

from singan_tf import cli
from singan_tf.errors import ConfigError

FLAGS = cli.flag_values()
flags.DEFINE_string("real", None, "The real (training) image.", flag_values=FLAGS)
flags.DEFINE_string("fakes", None, "A directory (every image file in it) or a glob of fakes.",
                    flag_values=FLAGS)
flags.DEFINE_string("json", None, "Also write the results here as a JSON object.",
                    flag_values=FLAGS)
flags.DEFINE_string("inception_weights", None, "Keras InceptionV3 weights without the top "
                    "(.h5 or .keras): adds SIFID.", flag_values=FLAGS)
flags.DEFINE_enum("sifid_layer", "64", ["64", "192"],
                  "SIFID features: 64 = before the first pooling (official code), "
                  "192 = before the second (the paper's text).", flag_values=FLAGS)
flags.DEFINE_string("reference", None, "A reference image (e.g. high-res): adds PSNR and SSIM.",
                    flag_values=FLAGS)
flags.mark_flags_as_required(["real", "fakes"], flag_values=FLAGS)


def main():
    from singan_tf.io import atomic, images
    from singan_tf.metrics import report, sifid  # TensorFlow loads here

    if FLAGS.json:
        if not FLAGS.json.endswith(".json"):
            raise ConfigError(f"--json writes JSON: {FLAGS.json} needs the extension .json")
        atomic.check_writable(FLAGS.json)
    inception = None
    if FLAGS.inception_weights:
        inception = sifid.load_inception(FLAGS.inception_weights, int(FLAGS.sifid_layer))
    real = images.load_image(FLAGS.real)
    paths = images.find_images(FLAGS.fakes)
    fakes = [images.load_image(path) for path in paths]
    reference = images.load_image(FLAGS.reference) if FLAGS.reference else None
    results = report.evaluate_samples(real, fakes, inception, reference)
    print(report.format_table(paths, results))
    if FLAGS.json:
        results["per_fake"] = [{"path": p, **row} for p, row in zip(paths, results["per_fake"])]
        with atomic.open_replacing(FLAGS.json) as f:
            json.dump({"real": os.path.abspath(FLAGS.real), **results}, f, indent=2)


if __name__ == "__main__":
    cli.run(main, FLAGS)
