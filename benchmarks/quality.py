"""Sample quality per reference image: train with a preset, sample, score, write a Markdown table.

  python benchmarks/quality.py [--preset=quick] [--images=zebra.png,colusseum.png]
      [--train_flags=--train_depth=1 --name=VARIANT] [--reuse] [--work_dir=runs/quality]
      [--out=docs/quality.md] [--num_samples=50] [--inception_weights=PATH]

For each image of ../shared/data/generation (or --images of it), trains
`python -m singan_tf.train --flagfile=flags/PRESET.cfg [TRAIN_FLAGS]` into
WORK_DIR/NAME/IMAGE (NAME: --name, default PRESET; with --reuse, a complete
model there is kept), draws
--num_samples samples from scale N (start_scale 0) and as many from N-1
(start_scale 1), and scores them against the training image at the finest
scale's size with `metrics.evaluate_samples`. Train time is the wall time of
the training process, TensorFlow start-up included. Slow: a preset's whole
training run per image (quick: about 5 minutes on 2 CPU cores).
"""

import json
import os
import subprocess
import sys
import time

from absl import flags

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from singan_tf import cli, imageio, metrics, model_dir as model_dir_lib, resize  # noqa: E402
from singan_tf.errors import ConfigError  # noqa: E402

flags.DEFINE_string("preset", "quick", "Training preset: flags/PRESET.cfg.")
flags.DEFINE_list("train_flags", [], "Training flags after the preset's, for a variant: "
                  "--train_flags=--train_depth=1 (name it with --name).")
flags.DEFINE_string("name", None, "The variant's name in the table and the work dir "
                    "(default: --preset).")
flags.DEFINE_string("data_dir", os.path.join(REPO, "..", "shared", "data", "generation"),
                    "Folder of the reference images.")
flags.DEFINE_list("images", None, "File names in --data_dir to use (default: every image).")
flags.DEFINE_bool("reuse", False, "Keep a complete model already in the work dir (whatever "
                  "flags it was trained with: give each variant its own --name).")
flags.DEFINE_string("work_dir", os.path.join(REPO, "runs", "quality"),
                    "Where models go: WORK_DIR/NAME/IMAGE_NAME.")
flags.DEFINE_string("out", os.path.join(REPO, "docs", "quality.md"), "The Markdown file written.")
flags.DEFINE_integer("num_samples", 50, "Samples per start scale.", lower_bound=2)
flags.DEFINE_string("inception_weights", None,
                    "Keras InceptionV3 weights without the top: adds a SIFID column.")
FLAGS = flags.FLAGS

# (title, key in a result row, format); rows without the key show "-".
COLUMNS = [("image", "image", "{}"), ("preset", "preset", "{}"),
           ("train time", "train_seconds", "{:.0f} s"), ("samples from", "scale", "{}"),
           ("SWD", "swd", "{:.4f}"), ("NN fake>real", "nn_fake_to_real", "{:.4f}"),
           ("NN real>fake", "nn_real_to_fake", "{:.4f}"), ("diversity", "diversity", "{:.3f}"),
           ("SIFID", "sifid", "{:.4f}")]


def markdown_table(rows):
    """A Markdown table of result rows; the SIFID column only when some row has it."""
    columns = [c for c in COLUMNS if c[1] != "sifid" or any("sifid" in r for r in rows)]
    lines = ["| " + " | ".join(title for title, _, _ in columns) + " |",
             "|" + "|".join("---" for _ in columns) + "|"]
    for row in rows:
        cells = ["-" if row.get(key) is None else fmt.format(row[key]) for _, key, fmt in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_report(rows, preset, num_samples, path):
    """Writes the Markdown report: what was measured, then the table."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write(f"# Sample quality: preset `{preset}`\n\n"
                f"Made by `benchmarks/quality.py`: {num_samples} samples per row, from scale N "
                "(start_scale 0) and N-1 (start_scale 1), scored against the training image at "
                "the finest scale's size. Lower is better for SWD, the nearest-neighbour patch "
                "distances and SIFID (see `singan_tf/metrics.py`); the SinGAN paper reports "
                "diversity 0.5 (N) and 0.35 (N-1).\n\n")
        f.write(markdown_table(rows) + "\n")


def train(image_path, model_dir, preset_file, extra_flags=()):
    """Trains in a fresh process (as a user would) and returns its wall time in seconds."""
    print(f"training {image_path} into {model_dir}", flush=True)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "singan_tf.train", f"--image={image_path}",
         f"--model_dir={model_dir}", f"--flagfile={preset_file}", *extra_flags, "--overwrite",
         "--noprogress"],
        cwd=REPO, env=dict(os.environ, PYTHONPATH=REPO))
    if result.returncode != 0:
        sys.exit(f"error: training {image_path} failed (exit {result.returncode})")
    seconds = time.perf_counter() - start
    with open(os.path.join(model_dir, "train_time.json"), "w") as f:
        json.dump({"train_seconds": seconds}, f)
    return seconds


def is_complete(model_dir):
    """Whether `model_dir` holds every scale its manifest plans (an interrupted run does not)."""
    if not os.path.isfile(os.path.join(model_dir, model_dir_lib.MANIFEST)):
        return False
    manifest = model_dir_lib.read_manifest(model_dir)
    return model_dir_lib.trained_scales(model_dir) == len(manifest["sizes"])


def score(model_dir, num_samples, inception):
    """Result rows for samples from scales N and N-1 of a trained model."""
    import tensorflow as tf

    model, manifest = model_dir_lib.load(model_dir)
    image = imageio.load_image(manifest["image"])
    scale = manifest["image_scale"]
    real = resize.resize(image[None], manifest["sizes"][-1], (scale, scale))[0].numpy()

    @tf.function
    def sample(seed, start_scale):
        return model.generate(model.seeded_noise(seed), start_scale=start_scale)[0]

    rows = []
    for start_scale, label in [(0, "N"), (1, "N-1")]:
        fakes = [sample(tf.constant(seed, tf.int64), start_scale).numpy()
                 for seed in range(num_samples)]
        results = metrics.evaluate_samples(real, fakes, inception)
        del results["per_fake"]
        rows.append({"scale": label, **results})
    return rows


def train_seconds(model_dir):
    """The train time recorded by `train`, or None for a model trained otherwise."""
    path = os.path.join(model_dir, "train_time.json")
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)["train_seconds"]


def main(argv):
    del argv
    preset_file = os.path.join(REPO, "flags", f"{FLAGS.preset}.cfg")
    if not os.path.isfile(preset_file):
        raise ConfigError(f"no preset {FLAGS.preset!r}: {preset_file} not found")
    label = FLAGS.name or FLAGS.preset
    names = FLAGS.images or [os.path.basename(p) for p in imageio.find_images(FLAGS.data_dir)]
    inception = metrics.sifid_model(FLAGS.inception_weights) if FLAGS.inception_weights else None
    rows = []
    for name in names:
        image_path = os.path.join(FLAGS.data_dir, name)
        imageio.load_image(image_path)  # fail early on a missing or unreadable image
        model_dir = os.path.join(FLAGS.work_dir, label, os.path.splitext(name)[0])
        if FLAGS.reuse and is_complete(model_dir):
            seconds = train_seconds(model_dir)
        else:
            seconds = train(image_path, model_dir, preset_file, FLAGS.train_flags)
        for row in score(model_dir, FLAGS.num_samples, inception):
            rows.append({"image": name, "preset": label, "train_seconds": seconds, **row})
        write_report(rows, label, FLAGS.num_samples, FLAGS.out)  # after each image
    print(markdown_table(rows))
    print(f"written to {FLAGS.out}")


if __name__ == "__main__":
    cli.run(main)
