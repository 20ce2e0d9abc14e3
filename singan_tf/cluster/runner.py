"""Runs the images' tasks on Ray: started inside this process by default, or joined by address.

Ray does the scheduling, the placement by CPU and GPU count, and the retries:
a task whose worker process dies (a SIGKILL, a node lost) runs again, up to
`max_retries` times, and resumes from the image's last checkpoint
(task.run_job). Each task runs in a fresh worker process (`max_calls=1`), so
TensorFlow starts with the task's thread count and gives its memory back.
"""

import socket
import time

from singan_tf.cluster import task
from singan_tf.errors import ConfigError

# What the workers' TensorFlow needs from the environment of a command (cli.run sets it).
WORKER_ENV = {"TF_ENABLE_ONEDNN_OPTS": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}


def import_ray():
    try:
        import ray
    except ImportError:
        raise ConfigError("training many images needs Ray: pip install -e \".[cluster]\"") \
            from None
    return ray


def connect(address=None):
    """Starts Ray here (`address` None) or joins the cluster at `address`; True when this call
    started or joined it (and `disconnect` should end it), False when it was already up."""
    ray = import_ray()
    if ray.is_initialized():
        return False
    if address:
        _check_reachable(address)
    try:
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 logging_level="WARNING")
    except (ConnectionError, RuntimeError, ValueError) as e:
        raise ConfigError(f"cannot reach the Ray cluster at {address}: "
                          f"{' '.join(str(e).split())}") from None
    return True


def _check_reachable(address, timeout=5.0):
    """A HOST:PORT that does not answer is refused at once (Ray would retry for minutes)."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return  # "auto", or a form Ray resolves itself
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as e:
        raise ConfigError(f"cannot reach the Ray cluster at {address}: {e.strerror or e}") \
            from None


def describe():
    """One line: the nodes and resources Ray has."""
    ray = import_ray()
    nodes = [n for n in ray.nodes() if n["Alive"]]
    total = ray.cluster_resources()
    return (f"Ray: {len(nodes)} node{'s' * (len(nodes) != 1)}, {total.get('CPU', 0):g} CPUs, "
            f"{total.get('GPU', 0):g} GPUs")


def check_fits(cpus, gpus):
    """Refuses a task size no node can hold (Ray would wait for it forever)."""
    ray = import_ray()
    nodes = [n["Resources"] for n in ray.nodes() if n["Alive"]]
    if not any(n.get("CPU", 0) >= cpus and n.get("GPU", 0) >= gpus for n in nodes):
        largest = max(nodes, key=lambda n: (n.get("CPU", 0), n.get("GPU", 0)))
        raise ConfigError(f"no Ray node has {cpus} CPUs and {gpus} GPUs for one image "
                          f"(the largest has {largest.get('CPU', 0):g} CPUs and "
                          f"{largest.get('GPU', 0):g} GPUs): lower --cpus_per_image / "
                          f"--gpus_per_image")


def run(jobs, config, given, on_row, num_samples=10, checkpoint_every=100, log_every=10,
        cpus=2, gpus=0, max_retries=3, report=print, report_every=60.0):
    """Runs `task.run_job` for every job as a Ray task; calls `on_row(row)` as each ends.
    `report(line)` gets the progress (done / running / failed / total and an ETA) when an
    image ends and every `report_every` seconds."""
    ray = import_ray()
    check_fits(cpus, gpus)
    remote = ray.remote(max_calls=1)(task.run_job).options(
        num_cpus=cpus, num_gpus=gpus, max_retries=max_retries, retry_exceptions=False,
        runtime_env={"env_vars": WORKER_ENV})
    pending = {remote.remote(job, config, given, num_samples, checkpoint_every, log_every, cpus):
               job for job in jobs}
    progress = Progress(len(jobs), cpus, report)
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1, timeout=report_every)
        for ref in ready:
            job = pending.pop(ref)
            try:
                row = ray.get(ref)
            except ray.exceptions.RayError as e:  # retries spent, or a bug in the task
                row = task.failed_row(job, _one_line(e))
            on_row(row)
            progress.ended(row["status"] == "done")
        progress.report(len(pending), _cpus_in_use(ray))


class Progress:
    """Counts and an ETA from the pace so far (seconds of this run per image ended), less the
    time since the last image ended."""

    def __init__(self, total, cpus, report):
        self.total, self.cpus, self.say = total, cpus, report
        self.done = self.failed = 0
        self.start = self.last = time.perf_counter()

    def ended(self, done):
        self.done += done
        self.failed += not done
        self.last = time.perf_counter()

    def report(self, pending, cpus_in_use):
        ended = self.done + self.failed
        running = min(pending, round(cpus_in_use / self.cpus))
        if ended and pending:
            now = time.perf_counter()
            eta = max(0, round((self.last - self.start) / ended * pending - (now - self.last)))
            eta = f"ETA {eta // 3600}:{eta % 3600 // 60:02d}:{eta % 60:02d}"
        else:
            eta = "ETA after the first image" if pending else "finished"
        self.say(f"{self.done} done, {running} running, {self.failed} failed, "
                 f"{self.total} total; {eta}")


def _cpus_in_use(ray):
    return ray.cluster_resources().get("CPU", 0) - ray.available_resources().get("CPU", 0)


def _one_line(error):
    cause = getattr(error, "cause", None)
    if cause is not None and not isinstance(cause, type(error)):
        return f"{type(cause).__name__}: {cause}"
    return str(error).strip().splitlines()[0]
