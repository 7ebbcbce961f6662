"""ml.benchmarks.stats.percentile: the one percentile of the benchmarks and evaluation reports."""

from __future__ import annotations

import math

import pytest

from ml.benchmarks.stats import percentile, percentiles_ms


def test_percentile_is_a_sample_at_the_rounded_rank() -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0]  # any order
    assert percentile(values, 0) == 1.0 and percentile(values, 100) == 5.0
    assert percentile(values, 50) == 3.0
    assert percentile(values, 95) == 5.0  # round(0.95 × 4) = 4
    assert percentile(values, 60) == 3.0  # round(2.4) = 2: no interpolation
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile(values, 0.95 * 1000)


def test_percentiles_ms_converts_seconds() -> None:
    stats = percentiles_ms([0.001, 0.002, 0.003, 0.004])
    assert stats == {"p50_ms": 3.0, "p95_ms": 4.0, "p99_ms": 4.0, "mean_ms": 2.5, "n": 4}
    assert percentiles_ms([])["n"] == 0
