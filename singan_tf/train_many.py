"""Trains a SinGAN on every image of a folder or glob, one Ray task per image, then samples and
scores each.

  python -m singan_tf.train_many --images=DIR_OR_GLOB --out_dir=DIR [--flagfile=flags/fast.cfg]
      [--num_samples=10] [--ray_address=ADDRESS] [--cpus_per_image=2] [--gpus_per_image=0]

Every training flag of `train` applies to each image. Image NAME trains into
DIR/NAME/ (a model directory as `train` writes it), draws --num_samples samples
into DIR/NAME/samples/ and scores them with the evaluator; DIR/summary.json,
DIR/summary.csv and DIR/index.html (a contact sheet) list every image. Running
the same command again skips finished images and resumes unfinished ones.
Without --ray_address, Ray starts inside this process on this machine; with
it, the tasks run on that cluster (docs/cluster.md). Needs the extra:
pip install -e ".[cluster]".
"""

import os

from absl import flags

from singan_tf import cli
from singan_tf.errors import SinGANError

FLAGS = cli.flag_values()
flags.DEFINE_string("images", None, "A folder (its image files) or a glob of training images.",
                    flag_values=FLAGS)
flags.DEFINE_string("out_dir", None, "Where each image's model directory and the summary go.",
                    flag_values=FLAGS)
flags.DEFINE_integer("num_samples", 10, "Samples drawn and scored per image.", lower_bound=2,
                     flag_values=FLAGS)
flags.DEFINE_string("ray_address", None, "Address of a running Ray cluster (e.g. HOST:6379 or "
                    "auto); without it, Ray starts on this machine.", flag_values=FLAGS)
flags.DEFINE_integer("cpus_per_image", 2, "CPUs (and TensorFlow threads) per image's task.",
                     lower_bound=1, flag_values=FLAGS)
flags.DEFINE_integer("gpus_per_image", 0, "GPUs per image's task.", lower_bound=0,
                     flag_values=FLAGS)
flags.DEFINE_integer("max_retries", 3, "Times Ray reruns an image whose worker died.",
                     lower_bound=0, flag_values=FLAGS)
flags.DEFINE_integer("checkpoint_every", 100, "Iterations between checkpoints.", lower_bound=1,
                     flag_values=FLAGS)
flags.DEFINE_integer("log_every", 10, "Iterations between TensorBoard loss summaries.",
                     lower_bound=1, flag_values=FLAGS)
cli.define_config_flags(FLAGS)
flags.mark_flags_as_required(["images", "out_dir"], flag_values=FLAGS)


def main():
    from singan_tf.cluster import jobs, runner, summary, task
    from singan_tf.io import atomic

    config = cli.config_from_flags(FLAGS)
    todo = jobs.find_jobs(FLAGS.images, FLAGS.out_dir)
    atomic.check_writable_dir(FLAGS.out_dir)
    rows = {job.name: task.finished_row(job) or summary.queued_row(job) for job in todo}
    remaining = [job for job in todo if rows[job.name]["status"] == "queued"]
    print(f"{len(todo)} image{'s' * (len(todo) != 1)}: {len(todo) - len(remaining)} finished "
          f"earlier, {len(remaining)} to train", flush=True)

    def ended(row):
        rows[row["name"]] = row
        summary.write(FLAGS.out_dir, list(rows.values()))
        detail = row["error"] or f"SWD {row['swd']:.4f}, diversity {row['diversity']}"
        print(f"{row['name']}: {row['this_run']} ({detail})", flush=True)

    started = bool(remaining) and runner.connect(FLAGS.ray_address)
    try:
        try:
            os.makedirs(FLAGS.out_dir, exist_ok=True)
        except OSError as e:
            raise atomic.write_error(FLAGS.out_dir, e) from e
        summary.write(FLAGS.out_dir, list(rows.values()))
        if remaining:
            print(runner.describe(), flush=True)
            runner.run(remaining, config, cli.given_config(FLAGS), ended,
                       num_samples=FLAGS.num_samples, checkpoint_every=FLAGS.checkpoint_every,
                       log_every=FLAGS.log_every,
                       cpus=FLAGS.cpus_per_image, gpus=FLAGS.gpus_per_image,
                       max_retries=FLAGS.max_retries, report=lambda line: print(line, flush=True))
    finally:
        if started:
            runner.import_ray().shutdown()
    failed = [row for row in rows.values() if row["status"] == "failed"]
    print(f"Summary: {os.path.join(FLAGS.out_dir, 'summary.csv')}, contact sheet: "
          f"{os.path.join(FLAGS.out_dir, 'index.html')}")
    if failed:
        raise SinGANError(f"{len(failed)} of {len(rows)} images failed, the first: "
                          f"{failed[0]['name']}: {failed[0]['error']}")


if __name__ == "__main__":
    cli.run(main, FLAGS)
