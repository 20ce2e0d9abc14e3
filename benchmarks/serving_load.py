"""A bounded load test of the SavedModel path: N concurrent clients, with and without batching.

  python benchmarks/serving_load.py [--export_dir=saved_models/pebbles] [--clients=1,4,16]
      [--requests=32] [--batching=saved_models/batching_parameters.txt]
      [--sweep] [--json=OUT.json]

Serves the export's highest version (each request one image at the training
size, or --scale times it) through the gRPC test double on 127.0.0.1
(singan_tf/deploy/serving_double.py, which batches with TensorFlow's BatchFunction op
as TF Serving's batcher does); clients and server share the process and its
cores. Each client sends --requests requests, one after the other, every seed distinct; the run
ends when all are answered. Reports latency p50/p99, throughput and the mean
merged batch, and checks every reply against the single-request image of its
seed: each must be its own seed's image (a reply with another request's image
fails the run); "diff" is the largest uint8 difference from it. --sweep also tries
other batching values at the largest client count.
"""

import concurrent.futures
import json
import os
import re
import statistics
import time

from absl import flags
import numpy as np

from singan_tf import cli

FLAGS = cli.flag_values()
flags.DEFINE_string("export_dir", "saved_models/pebbles", "An export (DIR/N/).",
                    flag_values=FLAGS)
flags.DEFINE_list("clients", ["1", "4", "16"], "Concurrent client counts.", flag_values=FLAGS)
flags.DEFINE_integer("requests", 32, "Requests per client.", lower_bound=1, flag_values=FLAGS)
flags.DEFINE_string("batching", "saved_models/batching_parameters.txt",
                    "TF Serving batching parameters (protobuf text).", flag_values=FLAGS)
flags.DEFINE_float("scale", 1.0, "Output scale (scale_h = scale_w): 1 sends serving_default, "
                   "other values the sample signature.", flag_values=FLAGS)
flags.DEFINE_bool("sweep", False, "Also try other batching values at the largest client count.",
                  flag_values=FLAGS)
flags.DEFINE_string("json", None, "Write the results here as JSON.", flag_values=FLAGS)


def read_batching(path):
    """`name { value: N }` lines of TF Serving's BatchingParameters, as keyword arguments."""
    values = {}
    for line in open(path):
        line = line.split("#")[0].strip()
        if line:
            name, value = re.fullmatch(r"(\w+) \{ value: (\d+) \}", line).groups()
            values[name] = int(value)
    return values


def load(server, clients, requests, expected):
    """Runs the load; returns latencies (s), wall time (s), the batch sizes run and the largest
    difference from the single-request images (checked after the clock stops)."""
    from singan_tf.deploy import grpc_client
    address = server.address
    server.model.batch_sizes.clear()

    def client(index):
        answers = []
        with grpc_client.Client(address) as connection:
            for seed in range(index * requests, (index + 1) * requests):
                start = time.perf_counter()
                got = connection.predict(server.name, *request(seed), timeout=60)
                answers.append((time.perf_counter() - start, seed, got))
        return answers

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        answers = [a for batch in pool.map(client, range(clients)) for a in batch]
    wall = time.perf_counter() - start
    worst = max(own_image_difference(got, seed, expected) for _, seed, got in answers)
    return [a[0] for a in answers], wall, list(server.model.batch_sizes), worst


def request(seed):
    """The signature and inputs of one request for one image."""
    if FLAGS.scale == 1.0:
        return "serving_default", {"seed": [seed]}
    return "sample", {"seed": [seed], "scale_h": [FLAGS.scale], "scale_w": [FLAGS.scale],
                      "start_scale": [0]}


def own_image_difference(got, seed, expected):
    """The largest uint8 difference of a reply from its seed's single-request image; fails
    unless it is that image: within one level, and nearer to it than to any other seed's (the
    batched call may round an ulp apart)."""
    difference = np.abs(got.astype(int) - expected[seed])
    distances = [np.abs(got.astype(int) - e).mean() for e in expected]
    if difference.max() > 1 or int(np.argmin(distances)) != seed:
        raise AssertionError(f"seed {seed} was answered with another image")
    return int(difference.max())


def summary(label, clients, latencies, wall, batches, worst):
    latencies = sorted(latencies)
    row = {"setting": label, "clients": clients, "requests": len(latencies),
           "p50_ms": 1000 * statistics.median(latencies),
           "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
           "per_second": len(latencies) / wall,
           "mean_batch": statistics.mean(batches) if batches else 1.0, "max_diff": worst}
    print(f"{label:<34} {clients:>7} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} "
          f"{row['per_second']:>8.1f} {row['mean_batch']:>6.2f} {worst:>5}", flush=True)
    return row


def main():
    import tensorflow as tf
    from singan_tf.deploy import serving_double

    version = max(int(v) for v in os.listdir(FLAGS.export_dir) if v.isdigit())
    path = os.path.join(FLAGS.export_dir, str(version))
    counts = [int(c) for c in FLAGS.clients]
    total = max(counts) * FLAGS.requests
    single = serving_double.ServedModel(path)
    expected = [single.predict(*request(s))["images"] for s in range(total)]
    shipped = read_batching(FLAGS.batching)
    settings = [("no batching", None), (_label(shipped), shipped)]
    print(f"{path}, output scale {FLAGS.scale}, {os.cpu_count()} cores, {FLAGS.requests} "
          f"requests per client, one image each")
    print(f"{'setting':<34} {'clients':>7} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} "
          f"{'batch':>6} {'diff':>5}")
    rows = []
    for label, batching in settings:
        server = serving_double.serving_grpc(path, "load", batching)
        try:
            load(server, 1, 2, expected)  # warm-up: traces the batched path
            for clients in counts:
                rows.append(summary(label, clients, *load(server, clients, FLAGS.requests,
                                                          expected)))
        finally:
            server.shutdown()
    if FLAGS.sweep:
        for change in ({"max_batch_size": 4}, {"max_batch_size": 16},
                       {"batch_timeout_micros": 1000}, {"batch_timeout_micros": 20000},
                       {"num_batch_threads": 1}):
            batching = {**shipped, **change}
            server = serving_double.serving_grpc(path, "load", batching)
            try:
                load(server, 1, 2, expected)
                rows.append(summary(_label(batching), max(counts),
                                    *load(server, max(counts), FLAGS.requests, expected)))
            finally:
                server.shutdown()
    if FLAGS.json:
        with open(FLAGS.json, "w") as f:
            json.dump({"export": path, "scale": FLAGS.scale, "rows": rows}, f, indent=1)


def _label(batching):
    return (f"batch {batching['max_batch_size']}, {batching['batch_timeout_micros'] // 1000} ms, "
            f"{batching['num_batch_threads']} thr")


if __name__ == "__main__":
    cli.run(main, FLAGS)
