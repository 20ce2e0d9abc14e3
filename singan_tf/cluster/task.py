"""One image of a many-image run: train its model (or resume it, or keep it), then sample and
score it. Ray runs this in a worker process; it is plain Python and runs without Ray too.

The model directory is the trainer's own (`singan_tf.train` writes the same
one), held under its lock for the whole task: a second attempt at the same
image (Ray retrying a task whose first attempt still runs) waits for the
first to end, then finds its work done or resumes it. What the task adds to
the directory:

  real.png          the training image at the model's finest size
  samples/          sample_000.png, ... from seeds 0, 1, ...
  result.json       the summary row, written last: its presence means done
  train.log         the trainer's progress lines
"""

import contextlib
import json
import os
import time

from singan_tf.errors import SinGANError
from singan_tf.io import atomic

RESULT = "result.json"
SAMPLES = "samples"
REAL = "real.png"
LOG = "train.log"


def finished_row(job):
    """The row `job` ended with in an earlier run, or None when it has not finished."""
    try:
        with open(os.path.join(job.model_dir, RESULT)) as f:
            row = json.load(f)
    except (OSError, ValueError):
        return None
    return {**row, "this_run": "skipped"} if row.get("status") == "done" else None


def failed_row(job, error):
    return {"name": job.name, "image": job.image, "status": "failed", "this_run": "failed",
            "error": " ".join(str(error).split())}


def run_job(job, config, given=None, num_samples=10, checkpoint_every=100, log_every=10,
            threads=None):
    """Trains, samples and scores `job` (a jobs.Job) with `config` (a TrainConfig); returns its
    summary row. `given` are the config values the user set by name, which an interrupted
    run's saved config must agree with to be resumed. A user error (a bad image, a config
    that contradicts the saved run) is the row's one-line `error`, not an exception.
    """
    _set_threads(threads)
    try:
        return _run(job, config, given or {}, num_samples, checkpoint_every, log_every)
    except SinGANError as e:
        return failed_row(job, e)


def _run(job, config, given, num_samples, checkpoint_every, log_every):
    from singan_tf import pyramid  # TensorFlow loads from here on
    from singan_tf.io import images
    from singan_tf.io.model_dir import ModelDir
    from singan_tf.training import loop

    image = images.load_image(job.image)  # a bad file fails before any folder is made
    pyramid.make_schedule(image.shape[0], image.shape[1], config.min_size, config.max_size,
                          config.scale_factor)  # so does a size that cannot work
    model_dir = ModelDir(job.model_dir)
    with model_dir.lock(wait=True):
        row = finished_row(job)
        if row is not None:
            return row
        started_from, seconds = "complete", 0.0
        if not model_dir.is_complete():
            resume = model_dir.has_manifest()
            if resume:
                config, _ = model_dir.resumed_run(given, job.image)
                started_from = f"scale {model_dir.trained_scales()}"
            else:
                model_dir.prepare()
                started_from = "scratch"
            start = time.perf_counter()
            with _logged_to(os.path.join(job.model_dir, LOG)):
                loop.train(image, config, model_dir, image_path=job.image, progress=True,
                           log_every=log_every, checkpoint_every=checkpoint_every,
                           resume=resume)
            seconds = time.perf_counter() - start
        row = _sample_and_score(job, model_dir, num_samples)
        row.update(started_from=started_from, train_seconds=round(seconds, 1))
        with atomic.open_replacing(os.path.join(job.model_dir, RESULT)) as f:
            json.dump(row, f, indent=2)
    return {**row, "this_run": "resumed" if started_from.startswith("scale") else "trained"}


def _sample_and_score(job, model_dir, num_samples):
    """Writes samples/ and real.png; the row's figures (the evaluator's, as `evaluate`)."""
    from singan_tf.apps import inputs, sampling
    from singan_tf.io import images
    from singan_tf.metrics import report

    model, _ = model_dir.load()
    samples = os.path.join(job.model_dir, SAMPLES)
    sampling.write_samples(model, samples, num_samples)
    real = inputs.load_fitted(job.image, model.sizes[-1], "training image")
    images.save_image(real, os.path.join(job.model_dir, REAL))
    paths = [sampling.sample_path(samples, i) for i in range(num_samples)]
    scores = report.evaluate_samples(real, [images.load_image(p) for p in paths])
    return {"name": job.name, "image": job.image, "status": "done",
            "scales": model.num_scales, "size": list(model.sizes[-1]),
            **{k: round(scores[k], 4) for k in ("swd", "nn_fake_to_real", "nn_real_to_fake")},
            "diversity": None if scores["diversity"] is None else round(scores["diversity"], 4),
            "samples": [os.path.relpath(p, job.model_dir) for p in paths], "error": ""}


@contextlib.contextmanager
def _logged_to(path):
    with open(path, "a") as log, contextlib.redirect_stdout(log):
        yield


def _set_threads(threads):
    """TensorFlow's thread pools sized to the task's CPUs (before TensorFlow starts; a worker
    runs one task, so it has not)."""
    if not threads:
        return
    import tensorflow as tf
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:  # already started (the task runs in a process that used TensorFlow)
        pass
