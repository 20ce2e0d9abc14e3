"""The report: every metric per fake and their means."""

import numpy as np
import pytest

from conftest import discs
from singan_tf.metrics import report as metrics


def test_evaluate_samples_summarises_per_fake_rows():
    small = discs()[:100, :130]
    fakes = [small[:80, :100], small[10:100, 20:130]]
    results = metrics.evaluate_samples(small, fakes, reference=small[:80, :100])
    assert results["levels"] == 3 and results["num_fakes"] == 2
    for name in ("swd", "nn_fake_to_real", "nn_real_to_fake"):
        assert results[name] == pytest.approx(np.mean([r[name] for r in results["per_fake"]]))
        assert len(results[f"{name}_per_level"]) == 3
    assert results["diversity"] is None  # the fakes differ in size
    assert results["psnr"] == float("inf") and results["ssim"] == pytest.approx(1.0)
    assert "psnr" in results["per_fake"][0] and "psnr" not in results["per_fake"][1]
