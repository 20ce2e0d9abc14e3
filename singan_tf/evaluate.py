"""Scores fakes against the real image they imitate.

  python -m singan_tf.evaluate --real=REAL.png --fakes=DIR_OR_GLOB [--json=OUT.json]
      [--inception_weights=PATH [--sifid_layer=64|192]] [--reference=HR.png]

Prints one row per fake and their mean; --json writes the same numbers as an
object (see `metrics.evaluate_samples`). Lower is better for every distance;
diversity is null when the fakes differ in size. SIFID needs Keras InceptionV3
weights without the top (never downloaded); PSNR/SSIM against --reference use
the fakes of the reference's size.
"""

import json
import os

from absl import flags

from singan_tf import cli, imageio, metrics

flags.DEFINE_string("real", None, "The real (training) image.")
flags.DEFINE_string("fakes", None, "A directory (every image file in it) or a glob of fakes.")
flags.DEFINE_string("json", None, "Also write the results here as a JSON object.")
flags.DEFINE_string("inception_weights", None,
                    "Keras InceptionV3 weights without the top (.h5 or .keras): adds SIFID.")
flags.DEFINE_enum("sifid_layer", "64", ["64", "192"],
                  "SIFID features: 64 = before the first pooling (official code), "
                  "192 = before the second (the paper's text).")
flags.DEFINE_string("reference", None, "A reference image (e.g. high-res): adds PSNR and SSIM.")
flags.mark_flags_as_required(["real", "fakes"])
FLAGS = flags.FLAGS


def format_table(paths, results):
    """The per-fake rows, their mean, the per-level means and the diversity, as text."""
    columns = [("SWD", "swd"), ("NN fake>real", "nn_fake_to_real"),
               ("NN real>fake", "nn_real_to_fake"), ("SIFID", "sifid"), ("PSNR", "psnr"),
               ("SSIM", "ssim")]
    columns = [(title, key) for title, key in columns if key in results]
    width = max(len(path) for path in paths + ["fake"])

    def line(name, cells):
        return f"{name:<{width}}" + "".join(f"{cell:>14}" for cell in cells)

    def number(value):
        return "-" if value is None else f"{value:.4f}"

    lines = [line("fake", [title for title, _ in columns])]
    lines += [line(path, [number(row.get(key)) for _, key in columns])
              for path, row in zip(paths, results["per_fake"])]
    lines.append(line("mean", [number(results[key]) for _, key in columns]))
    lines.append(f"per level, finest first ({results['levels']} levels):")
    for title, key in columns[:3]:
        lines.append(f"  {title:<14}" + " ".join(number(v) for v in results[f"{key}_per_level"]))
    diversity = results["diversity"]
    lines.append("diversity: " + ("n/a (needs two or more fakes of one size)" if diversity is None
                                  else f"{diversity:.4f} over {results['num_fakes']} fakes"))
    return "\n".join(lines)


def main(argv):
    del argv
    inception = None
    if FLAGS.inception_weights:
        inception = metrics.sifid_model(FLAGS.inception_weights, int(FLAGS.sifid_layer))
    real = imageio.load_image(FLAGS.real)
    paths = imageio.find_images(FLAGS.fakes)
    fakes = [imageio.load_image(path) for path in paths]
    reference = imageio.load_image(FLAGS.reference) if FLAGS.reference else None
    results = metrics.evaluate_samples(real, fakes, inception, reference)
    print(format_table(paths, results))
    if FLAGS.json:
        results["per_fake"] = [{"path": p, **row} for p, row in zip(paths, results["per_fake"])]
        with open(FLAGS.json, "w") as f:
            json.dump({"real": os.path.abspath(FLAGS.real), **results}, f, indent=2)


if __name__ == "__main__":
    cli.run(main)
