"""Server-side batching of the SavedModel: concurrent requests are merged into one call, and
every request still gets its own images."""

import concurrent.futures
import os

import numpy as np
import pytest

from conftest import REPO

BATCHING = dict(max_batch_size=4, batch_timeout_micros=100_000, num_batch_threads=1,
                max_enqueued_batches=16)


@pytest.fixture(scope="module")
def batching_server(served):
    from singan_tf.deploy import serving_double
    server = serving_double.serving_grpc(served.model.loaded_path, batching=BATCHING)
    yield server
    server.shutdown()


def test_concurrent_requests_are_merged_and_each_gets_its_own_seeds(served, batching_server):
    from singan_tf.deploy import grpc_client
    address = batching_server.address
    seeds = list(range(20, 28))
    with concurrent.futures.ThreadPoolExecutor(len(seeds)) as pool:
        answers = list(pool.map(lambda s: grpc_client.predict(address, "tiny", "serving_default",
                                                              {"seed": [s]}), seeds))
    for seed, got in zip(seeds, answers):
        want = served.model.predict("serving_default", {"seed": [seed]})["images"]
        # The batching op runs the signature on its own threads, where a convolution may
        # round an ulp apart (docs/deployment.md): within one uint8 level, rarely off.
        difference = np.abs(np.asarray(got, np.int64) - np.asarray(want, np.int64))
        assert difference.max() <= 1 and np.mean(difference > 0) < 0.01, seed
    assert max(batching_server.model.batch_sizes) > 1  # some requests were merged
    assert sum(batching_server.model.batch_sizes) == len(seeds)


# TF Serving's BatchingParameters (session_bundle_config.proto): Int64Value fields, written in
# protobuf text format as `name { value: N }` (the proto is not in tensorflow-serving-api).
FIELDS = {"max_batch_size", "batch_timeout_micros", "num_batch_threads",
          "max_enqueued_batches"}


def test_the_shipped_batching_parameters_are_tf_servings_format_and_fit_the_export():
    import re
    path = os.path.join(REPO, "saved_models", "batching_parameters.txt")
    lines = [line.split("#")[0].strip() for line in open(path)]
    values = {}
    for line in filter(None, lines):
        match = re.fullmatch(r"(\w+) \{ value: (\d+) \}", line)
        assert match and match.group(1) in FIELDS, line
        values[match.group(1)] = int(match.group(2))
    assert set(values) == FIELDS and all(v > 0 for v in values.values())
    assert values["max_batch_size"] <= 16  # export's --max_batch default: a merged batch fits
