"""Seconds per training iteration, the official SinGAN (PyTorch) against singan_tf, back to back.

  python benchmarks/compare_official.py [--peer_dir=/tmp/peers] [--threads=1,2]
      [--image=PATH] [--max_size=128] [--niter=6] [--iters=5] [--json=OUT.json]
      [--ours_flags=--train_depth=3,--nfc=64] [--harness=run_peer.py]

For each thread count, first the official code, unmodified, under the timing
harness (../shared/tools/peers/run_peer.py, the command line of
../shared/tools/peers/README.md: --niter iterations per scale, seconds per
iteration without the first and last), then singan_tf's
benchmarks/train_speed.py (--iters timed iterations per scale after a warm-up
call), each in its own process with OMP_NUM_THREADS and MKL_NUM_THREADS set to
the count, and singan_tf's intra- and inter-op threads equal to it. The
official stages map to singan_tf's scales in order. "other" is the CPU that
other processes used during each run, in cores: the timings are only worth
something on an otherwise idle machine (the README). The official sampling
figure is SinGAN_generate's 50 samples at the end of main_train.py, PNG
writes included, per sample.

The official code is not part of this project: rebuild it under --peer_dir as
../shared/tools/peers/README.md says (SinGAN/, the venv/ with torch).
"""

import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

from absl import flags

from singan_tf import cli

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_PEERS_README = "../shared/tools/peers/README.md"

FLAGS = cli.flag_values()
flags.DEFINE_string("peer_dir", "/tmp/peers", "Where the rebuilt official SinGAN/ and the "
                    "venv/ with torch live.", flag_values=FLAGS)
flags.DEFINE_string("harness", os.path.abspath(os.path.join(
    REPO, "..", "shared", "tools", "peers", "run_peer.py")), "The peers' timing harness.",
    flag_values=FLAGS)
flags.DEFINE_string("image", os.path.abspath(os.path.join(
    REPO, "..", "shared", "data", "generation", "colusseum.png")), "Training image (given to "
    "the official code as an RGB PNG in its Input/Images).", flag_values=FLAGS)
flags.DEFINE_integer("max_size", 128, "Longer side of the finest scale, in both programs.",
                     flag_values=FLAGS)
flags.DEFINE_integer("min_size", 25, "Shorter side of the coarsest scale, in both programs.",
                     flag_values=FLAGS)
flags.DEFINE_integer("niter", 6, "Iterations the official code runs per scale (the first and "
                     "last are left out of its figure when there are more than two).",
                     flag_values=FLAGS)
flags.DEFINE_list("threads", ["1", "2"], "Thread counts to compare, one run of each program "
                  "per count.", flag_values=FLAGS)
flags.DEFINE_integer("iters", 5, "Timed singan_tf iterations per scale.", flag_values=FLAGS)
flags.DEFINE_string("json", None, "Write everything here as JSON.", flag_values=FLAGS)
flags.DEFINE_list("ours_flags", [], "Extra flags for singan_tf's train_speed.py (training "
                  "flags such as --train_depth=3, or --flagfile=flags/fast.cfg).",
                  flag_values=FLAGS)


def cpu_model():
    """The CPU's model name from /proc/cpuinfo, and the core count."""
    name = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return name, os.cpu_count()


def _busy_seconds():
    """CPU seconds all processes have spent busy so far (all but idle and iowait)."""
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def run_timed(command, cwd, env, log_path):
    """Runs `command` with its output in `log_path`: (exit status, wall s, other procs' cores)."""
    busy, children, start = _busy_seconds(), os.times(), time.perf_counter()
    with open(log_path, "w") as log:
        rc = subprocess.call(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    wall = time.perf_counter() - start
    after = os.times()
    mine = (after.children_user - children.children_user
            + after.children_system - children.children_system)
    other = max(0.0, (_busy_seconds() - busy - mine) / max(wall, 1e-9))
    return rc, wall, other


def _log_tail(path, lines=15):
    with open(path, errors="replace") as f:
        return "".join(f.readlines()[-lines:])


def check_peers(peer_dir, harness):
    """The official SinGAN's folder and the venv's python, or ConfigError naming what is missing."""
    from singan_tf.errors import ConfigError
    singan = os.path.join(peer_dir, "SinGAN")
    python = os.path.join(peer_dir, "venv", "bin", "python")
    missing = [path for path in (os.path.join(singan, "main_train.py"), python, harness)
               if not os.path.exists(path)]
    if missing:
        raise ConfigError(f"{' and '.join(missing)} not found: {_PEERS_README} says how to "
                          f"rebuild the official SinGAN and its venv under {peer_dir}")
    return singan, python


def peer_input(image_path, singan):
    """Puts the image in the official code's Input/Images as an RGB PNG; returns its name."""
    from PIL import Image

    from singan_tf.errors import ImageError
    name = os.path.splitext(os.path.basename(image_path))[0] + ".png"
    try:
        with Image.open(image_path) as image:
            rgb = image.convert("RGB")
    except OSError as e:
        raise ImageError(f"cannot read {image_path}: {e}") from e
    target_dir = os.path.join(singan, "Input", "Images")
    os.makedirs(target_dir, exist_ok=True)
    rgb.save(os.path.join(target_dir, name))
    return name


def peer_sizes(singan, stem):
    """(height, width) of each scale the official run trained, from its real_scale.png files."""
    from PIL import Image
    sizes = []
    root = os.path.join(singan, "TrainedModels", stem)
    for sub in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        n = 0
        while os.path.exists(os.path.join(root, sub, str(n), "real_scale.png")):
            with Image.open(os.path.join(root, sub, str(n), "real_scale.png")) as image:
                sizes.append((image.height, image.width))
            n += 1
    return sizes


def run_official(threads, singan, python, input_name, work_dir):
    """The official main_train.py under the harness: its JSON, the scale sizes, load, log."""
    from singan_tf.errors import SinGANError
    stem = input_name[:-4]
    for stale in (os.path.join(singan, "TrainedModels", stem),
                  os.path.join(singan, "Output", "RandomSamples", stem)):
        shutil.rmtree(stale, ignore_errors=True)
    out = os.path.join(work_dir, f"official_{threads}.json")
    log = os.path.join(work_dir, f"official_{threads}.log")
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
               HARNESS_JSON=out)
    command = [python, "-u", FLAGS.harness, ".", "main_train.py", "--not_cuda",
               "--input_name", input_name, "--input_dir", "Input/Images",
               "--max_size", str(FLAGS.max_size), "--min_size", str(FLAGS.min_size),
               "--niter", str(FLAGS.niter), "--manualSeed", "1"]
    rc, wall, other = run_timed(command, singan, env, log)
    if rc != 0 or not os.path.exists(out):
        raise SinGANError(f"the official SinGAN failed (exit status {rc}); its log {log} "
                          f"ends:\n{_log_tail(log)}")
    with open(out) as f:
        result = json.load(f)
    with open(log, errors="replace") as f:
        header = next((line.split("] ", 1)[-1].strip() for line in f
                       if "HARNESS torch" in line), "")
    return {"harness": result, "sizes": peer_sizes(singan, stem), "wall_s": wall,
            "other_procs_cores_avg": other, "header": header, "command": command}


def run_ours(threads, work_dir):
    """singan_tf's train_speed.py with the same threads: its JSON list, load, header line."""
    from singan_tf.errors import SinGANError
    out = os.path.join(work_dir, f"singan_tf_{threads}.json")
    log = os.path.join(work_dir, f"singan_tf_{threads}.log")
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    command = [sys.executable, os.path.join(REPO, "benchmarks", "train_speed.py"),
               f"--threads={threads}", f"--inter_threads={threads}",
               f"--max_size={FLAGS.max_size}", f"--min_size={FLAGS.min_size}",
               f"--image={FLAGS.image}", f"--iters={FLAGS.iters}", f"--json={out}",
               *FLAGS.ours_flags]
    rc, wall, other = run_timed(command, REPO, env, log)
    if rc != 0 or not os.path.exists(out):
        raise SinGANError(f"singan_tf's train_speed.py failed (exit status {rc}); its log "
                          f"{log} ends:\n{_log_tail(log)}")
    with open(out) as f:
        result = json.load(f)
    with open(log, errors="replace") as f:  # train_speed's line "IMAGE: N scales, ratio ..."
        header = next((line.split(": ", 1)[-1].strip() for line in f
                       if " scales, ratio " in line), "")
    return {"scales": result, "wall_s": wall, "other_procs_cores_avg": other,
            "header": header, "command": command}


def compare(official, ours):
    """One row per scale: the official stage and singan_tf's scale of the same index."""
    stages, scales = official["harness"]["stages"], ours["scales"]
    rows = []
    for n in range(max(len(stages), len(scales))):
        stage = stages[n] if n < len(stages) else None
        scale = scales[n] if n < len(scales) else None
        theirs = stage["mean_excl_first_last_s"] if stage else None
        mine = scale["s_per_iter"] if scale else None
        rows.append({
            "scale": n,
            "size": [scale["height"], scale["width"]] if scale else None,
            "official_size": (list(official["sizes"][n]) if n < len(official["sizes"])
                              else None),
            "official_s_per_iter": theirs,
            "singan_tf_s_per_iter": mine,
            "ratio": theirs / mine if theirs and mine else None,
            "official_other_cores": stage["other_procs_cores_avg"] if stage else None,
        })
    return rows


def _cell(value, fmt, width):
    return f"{'-':>{width}}" if value is None else f"{value:>{width}{fmt}}"


def print_table(threads, official, ours, rows):
    print(f"\nthreads {threads} (OMP_NUM_THREADS=MKL_NUM_THREADS={threads}; singan_tf intra- "
          f"and inter-op {threads})")
    print(f"  official: {official['header']}; other processes "
          f"{official['other_procs_cores_avg']:.2f} cores over {official['wall_s']:.0f} s")
    print(f"  singan_tf: {ours['header']}; other processes "
          f"{ours['other_procs_cores_avg']:.2f} cores over {ours['wall_s']:.0f} s")
    print(f"{'scale':>5} {'size':>9} {'official s/iter':>15} {'singan_tf s/iter':>16} "
          f"{'official/singan_tf':>18} {'other':>6}")
    for row in rows:
        size = row["size"] or row["official_size"]
        text = f"{size[0]}x{size[1]}" if size else "-"
        if row["official_size"] and row["size"] and row["official_size"] != row["size"]:
            text += f" (official {row['official_size'][0]}x{row['official_size'][1]})"
        print(f"{row['scale']:>5} {text:>9} {_cell(row['official_s_per_iter'], '.3f', 15)} "
              f"{_cell(row['singan_tf_s_per_iter'], '.3f', 16)} "
              f"{_cell(row['ratio'], '.2f', 18)} {_cell(row['official_other_cores'], '.2f', 6)}")
    stages, scales = len(official["harness"]["stages"]), len(ours["scales"])
    if stages != scales:
        print(f"  warning: the official run timed {stages} scales, singan_tf {scales}")
    for sampling in official["harness"].get("sampling", []):
        count = sampling.get("num_samples") or 1
        print(f"  official sampling ({sampling['what']}, {count} samples at the finest scale, "
              f"PNG writes included): {1000 * sampling['seconds'] / count:.0f} ms per sample")
    busy = max(official["other_procs_cores_avg"], ours["other_procs_cores_avg"])
    if busy > 0.25:
        print(f"  warning: other processes used up to {busy:.2f} cores during these runs: "
              "the figures are not those of an idle machine")


def main():
    from singan_tf.errors import ConfigError

    try:
        thread_counts = [int(t) for t in FLAGS.threads]
    except ValueError as e:
        raise ConfigError(f"--threads must be integers: {','.join(FLAGS.threads)}") from e
    if not thread_counts or min(thread_counts) < 1:
        raise ConfigError("--threads needs at least one count, each at least 1")
    if FLAGS.niter < 1 or FLAGS.iters < 1:
        raise ConfigError("--niter and --iters must be at least 1")
    peer_dir = os.path.abspath(FLAGS.peer_dir)
    singan, python = check_peers(peer_dir, FLAGS.harness)
    input_name = peer_input(FLAGS.image, singan)

    cpu, cores = cpu_model()
    date = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    print(f"{cpu}, {cores} cores; {date}")
    print(f"{FLAGS.image}: max_size {FLAGS.max_size}, min_size {FLAGS.min_size}; official "
          f"{FLAGS.niter} iterations per scale, singan_tf {FLAGS.iters} timed after a warm-up"
          f"{'; singan_tf flags ' + ' '.join(FLAGS.ours_flags) if FLAGS.ours_flags else ''}")
    report = {"cpu": cpu, "cores": cores, "date": date, "image": FLAGS.image,
              "max_size": FLAGS.max_size, "min_size": FLAGS.min_size, "niter": FLAGS.niter,
              "iters": FLAGS.iters, "ours_flags": FLAGS.ours_flags, "peer_dir": peer_dir,
              "runs": []}
    work_dir = tempfile.mkdtemp(prefix="compare_official_")
    for threads in thread_counts:
        print(f"threads {threads}: official SinGAN ...", flush=True)
        official = run_official(threads, singan, python, input_name, work_dir)
        print(f"threads {threads}: singan_tf ...", flush=True)
        ours = run_ours(threads, work_dir)
        rows = compare(official, ours)
        print_table(threads, official, ours, rows)
        sampling = [{**s, "seconds_per_sample": s["seconds"] / (s.get("num_samples") or 1)}
                    for s in official["harness"].get("sampling", [])]
        report["runs"].append({"threads": threads, "rows": rows, "official_sampling": sampling,
                               "official": official, "singan_tf": ours})
    shutil.rmtree(work_dir, ignore_errors=True)  # kept, with the logs, when a run fails
    if FLAGS.json:
        with open(FLAGS.json, "w") as f:
            json.dump(report, f, indent=2)
        print(f"wrote {FLAGS.json}")


if __name__ == "__main__":
    cli.run(main, FLAGS)
