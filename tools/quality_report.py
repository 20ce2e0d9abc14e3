"""Sample quality of a training preset, image by image, beside the GPU-trained peers' samples.

  python tools/quality_report.py [--data=userstudy|generation] [--preset=fast]
      [--train_flags=--train_depth=1 --name=VARIANT] [--images=0,3] [--num_samples=10]
      [--noise_gain=1 --noise_gain=8] [--reuse] [--work_dir=runs/quality]

For each image, trains `python -m singan_tf.train --flagfile=flags/PRESET.cfg
[TRAIN_FLAGS]` into WORK_DIR/NAME/IMAGE (a complete model there is kept with
--reuse), draws --num_samples samples from scale N (start_scale 0) and as many
from N-1 (start_scale 1) for each --noise_gain (`sample --noise_gain`:
rows of a gain other than 1 are named "NAME xGAIN"), and scores them against
the real image with `metrics.report.evaluate_samples`. With --data=userstudy
(the ten images of ../shared/data/userstudy_lsun) the ten samples of the
official SinGAN and of ConSinGAN, trained on a GPU, are scored the same way
beside ours. Our samples are first JPEG-encoded at the peers' quality
(--jpeg_quality), so that compression artefacts do not favour either side.
Train time is the wall time of the training process, TensorFlow start-up
included: measure it on an idle machine.

Writes WORK_DIR/NAME/report.md (the table, its mean rows first, and a picture
per image: the real image, two GPU SinGAN samples, two of ours) and
WORK_DIR/NAME/results.json, after each image. It never writes into docs/.
"""

import io
import json
import os
import subprocess
import sys
import time

from absl import flags
import numpy as np
from PIL import Image

from singan_tf import cli
from singan_tf.errors import ConfigError
from singan_tf.io import images

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(REPO, "..", "shared", "data")
PEERS = ("SinGAN", "ConSinGAN")

FLAGS = cli.flag_values()
flags.DEFINE_enum("data", "userstudy", ["userstudy", "generation"],
                  "userstudy: ../shared/data/userstudy_lsun/Real with the peers' samples; "
                  "generation: ../shared/data/generation.", flag_values=FLAGS)
flags.DEFINE_string("data_dir", DATA, "The shared data folder.", flag_values=FLAGS)
flags.DEFINE_list("images", None, "Image names (without extension) to use (default: all).",
                  flag_values=FLAGS)
flags.DEFINE_string("preset", "fast", "Training preset: flags/PRESET.cfg.", flag_values=FLAGS)
flags.DEFINE_list("train_flags", [], "Training flags after the preset's, for a variant: "
                  "--train_flags=--train_depth=1 (name it with --name).", flag_values=FLAGS)
flags.DEFINE_string("name", None, "The variant's name (default: --preset).", flag_values=FLAGS)
flags.DEFINE_bool("reuse", False, "Keep a complete model already in the work dir (whatever "
                  "flags it was trained with: give each variant its own --name).",
                  flag_values=FLAGS)
flags.DEFINE_string("work_dir", os.path.join(REPO, "runs", "quality"),
                    "Models and reports go to WORK_DIR/NAME/.", flag_values=FLAGS)
flags.DEFINE_integer("num_samples", 10, "Samples per start scale (the peers have 10).",
                     lower_bound=2, flag_values=FLAGS)
flags.DEFINE_multi_float("noise_gain", [1.0], "Noise gain of the samples from N-1 (sample "
                        "--noise_gain), repeatable: a row per gain.", lower_bound=0.0,
                        flag_values=FLAGS)
flags.DEFINE_integer("jpeg_quality", 80, "JPEG quality our samples are encoded at before "
                     "scoring (the peers' files are quality 80); 0 keeps them lossless.",
                     lower_bound=0, upper_bound=100, flag_values=FLAGS)

# (title, key in a result row, format); rows without the key show "-".
COLUMNS = [("image", "image", "{}"), ("samples of", "method", "{}"),
           ("train time", "train_seconds", "{:.0f} s"), ("from", "scale", "{}"),
           ("SWD", "swd", "{:.4f}"), ("NN fake>real", "nn_fake_to_real", "{:.4f}"),
           ("NN real>fake", "nn_real_to_fake", "{:.4f}"), ("diversity", "diversity", "{:.3f}")]
SCORES = ("swd", "nn_fake_to_real", "nn_real_to_fake", "diversity")


def markdown_table(rows):
    lines = ["| " + " | ".join(title for title, _, _ in COLUMNS) + " |",
             "|" + "|".join("---" for _ in COLUMNS) + "|"]
    for row in rows:
        cells = ["-" if row.get(key) is None else fmt.format(row[key]) for _, key, fmt in COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def mean_rows(rows):
    """One row per (method, scale): the mean of every score and of the train time."""
    groups = {}
    for row in rows:
        groups.setdefault((row["method"], row["scale"]), []).append(row)
    means = []
    for (method, scale), group in groups.items():
        mean = {"image": f"mean of {len(group)}", "method": method, "scale": scale}
        for key in SCORES + ("train_seconds",):
            values = [r[key] for r in group if r.get(key) is not None]
            mean[key] = float(np.mean(values)) if values else None
        means.append(mean)
    return means


def write_report(rows, pictures, name, preset_text, path):
    """The Markdown report: what was run, the mean rows, every row, the pictures."""
    with open(path, "w") as f:
        f.write(f"# Sample quality: `{name}`\n\n{preset_text}\n\n")
        f.write("Lower is better for SWD and the nearest-neighbour patch distances "
                "(singan_tf/metrics/patch.py); diversity is the SinGAN paper's (0.5 from N "
                "and 0.35 from N-1 in the paper).\n\n## Mean\n\n")
        f.write(markdown_table(mean_rows(rows)) + "\n\n## Per image\n\n")
        f.write(markdown_table(rows) + "\n")
        if pictures:
            f.write("\n## Samples\n\nEach row: the real image, two samples of the GPU-trained "
                    "SinGAN, two of ours (from N).\n\n")
            for image_name, picture in pictures:
                f.write(f"![{image_name}]({picture})\n\n")


def train(image_path, model_dir, preset_file, extra_flags=()):
    """Trains in a fresh process (as a user would) and returns its wall time in seconds."""
    print(f"training {image_path} into {model_dir}", flush=True)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "singan_tf.train", f"--image={image_path}",
         f"--model_dir={model_dir}", f"--flagfile={preset_file}", *extra_flags, "--overwrite",
         "--noprogress"], cwd=REPO)
    if result.returncode != 0:
        raise ConfigError(f"training {image_path} failed (exit {result.returncode})")
    seconds = time.perf_counter() - start
    with open(os.path.join(model_dir, "train_time.json"), "w") as f:
        json.dump({"train_seconds": seconds}, f)
    return seconds


def train_seconds(model_dir):
    path = os.path.join(model_dir, "train_time.json")
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)["train_seconds"]


def as_jpeg(pixels, quality):
    """[H, W, 3] in [-1, 1] after a round trip through a JPEG file of `quality` (0: none)."""
    if not quality:
        return pixels
    buffer = io.BytesIO()
    Image.fromarray(images.to_uint8(pixels)).save(buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(buffer), np.float32) / 127.5 - 1.0


def our_samples(model, num_samples, start_scale, quality, noise_gain=1.0):
    """Samples of seeds 0 .. num_samples - 1, as the sample command makes them, after a
    JPEG round trip at `quality`."""
    from singan_tf.apps import sampling
    sample = sampling.sampler(sampling.with_noise_gain(model, start_scale, noise_gain),
                              start_scale)
    return [as_jpeg(sample(seed), quality) for seed in range(num_samples)]


def scores(real, fakes):
    from singan_tf.metrics import report
    results = report.evaluate_samples(real, fakes)
    return {key: results[key] for key in SCORES}


def picture(real, peer_samples, ours, path):
    """The real image, two peer samples and two of ours side by side (4 px white gaps)."""
    panels = [real] + list(peer_samples[:2]) + list(ours[:2])
    height = max(p.shape[0] for p in panels)
    gap = np.ones((height, 4, 3), np.float32)
    padded = [np.pad(p, [(0, height - p.shape[0]), (0, 0), (0, 0)], constant_values=1.0)
              for p in panels]
    images.save_image(np.concatenate([x for p in padded for x in (p, gap)][:-1], 1), path)


def image_list():
    """(name, path of the real image, {peer: sample paths}) for the chosen data."""
    if FLAGS.data == "userstudy":
        root = os.path.join(FLAGS.data_dir, "userstudy_lsun")
        names = FLAGS.images or [str(i) for i in range(10)]
        return [(name, os.path.join(root, "Real", f"{name}.jpg"),
                 {peer: [os.path.join(root, peer, f"{name}_{j}.jpg") for j in range(10)]
                  for peer in PEERS}) for name in names]
    paths = images.find_images(os.path.join(FLAGS.data_dir, "generation"))
    chosen = [p for p in paths if not FLAGS.images
              or os.path.splitext(os.path.basename(p))[0] in FLAGS.images]
    return [(os.path.splitext(os.path.basename(p))[0], p, {}) for p in chosen]


def main():
    from singan_tf.io.model_dir import ModelDir

    preset_file = os.path.join(REPO, "flags", f"{FLAGS.preset}.cfg")
    if not os.path.isfile(preset_file):
        raise ConfigError(f"no preset {FLAGS.preset!r}: {preset_file} not found")
    name = FLAGS.name or FLAGS.preset
    out_dir = os.path.join(FLAGS.work_dir, name)
    os.makedirs(os.path.join(out_dir, "pictures"), exist_ok=True)
    described = (f"`python -m singan_tf.train --flagfile=flags/{FLAGS.preset}.cfg "
                 f"{' '.join(FLAGS.train_flags)}`".replace(" `", "`") +
                 f"; {FLAGS.num_samples} samples per row; ours JPEG-encoded at quality "
                 f"{FLAGS.jpeg_quality or 'none (lossless)'} before scoring; data: {FLAGS.data}.")
    rows, pictures = [], []
    for image_name, real_path, peer_paths in image_list():
        real = images.load_image(real_path)
        model_dir = os.path.join(out_dir, image_name)
        if FLAGS.reuse and ModelDir(model_dir).is_complete():
            seconds = train_seconds(model_dir)
        else:
            seconds = train(real_path, model_dir, preset_file, FLAGS.train_flags)
        model, _ = ModelDir(model_dir).load()
        from_n = our_samples(model, FLAGS.num_samples, 0, FLAGS.jpeg_quality)
        rows.append({"image": image_name, "method": name, "train_seconds": seconds,
                     "scale": "N", **scores(real, from_n)})
        for gain in FLAGS.noise_gain:
            fakes = our_samples(model, FLAGS.num_samples, 1, FLAGS.jpeg_quality, gain)
            rows.append({"image": image_name, "method": name if gain == 1 else f"{name} x{gain:g}",
                         "train_seconds": seconds, "scale": "N-1", **scores(real, fakes)})
        for peer, paths in peer_paths.items():
            fakes = [images.load_image(p) for p in paths]
            rows.append({"image": image_name, "method": f"{peer} (GPU)", "scale": "N",
                         **scores(real, fakes)})
        if peer_paths:
            relative = os.path.join("pictures", f"{image_name}.png")
            picture(real, [images.load_image(p) for p in peer_paths["SinGAN"]], from_n,
                    os.path.join(out_dir, relative))
            pictures.append((image_name, relative))
        write_report(rows, pictures, name, described, os.path.join(out_dir, "report.md"))
        with open(os.path.join(out_dir, "results.json"), "w") as f:
            json.dump({"rows": rows, "mean": mean_rows(rows)}, f, indent=2)
        print(markdown_table([row for row in rows if row["image"] == image_name]), flush=True)
    print(f"written to {os.path.join(out_dir, 'report.md')}")


if __name__ == "__main__":
    cli.run(main, FLAGS)
