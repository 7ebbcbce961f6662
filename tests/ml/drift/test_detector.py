"""Evidently's embedding drift methods: shifted embeddings drift, same-distribution ones do not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ml.drift.detector import detect_drift
from ml.drift.exporter import write_textfile


def cloud(rng: np.random.Generator, n: int, shift: float = 0.0, dim: int = 32) -> np.ndarray:
    x = rng.normal(size=(n, dim))
    x[:, 0] += shift
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("method", ["model", "mmd"])
def test_shift_is_detected_and_same_distribution_is_not(method: str) -> None:
    rng = np.random.default_rng(3)
    reference = cloud(rng, 300)
    same = detect_drift(reference, cloud(rng, 150), method, threshold=0.55 if method == "model" else 0.01)
    shifted = detect_drift(
        reference, cloud(rng, 150, shift=2.5), method, threshold=0.55 if method == "model" else 0.01
    )
    assert not same.detected and shifted.detected
    assert shifted.score > same.score
    assert shifted.reference_size == 300 and shifted.current_size == 150


def test_bad_inputs_raise_clear_errors() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="shapes differ"):
        detect_drift(cloud(rng, 50, dim=8), cloud(rng, 50, dim=16))
    with pytest.raises(ValueError, match="too few"):
        detect_drift(cloud(rng, 50), cloud(rng, 3))
    with pytest.raises(ValueError, match="unknown drift method"):
        detect_drift(cloud(rng, 50), cloud(rng, 50), method="tsne")


def test_prometheus_textfile_has_the_gauges(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    result = detect_drift(cloud(rng, 100), cloud(rng, 100, shift=3.0), "model")
    text = write_textfile(result, tmp_path / "m" / "drift.prom").read_text()
    assert 'shoptalk_drift_detected{method="model"} 1.0' in text
    assert f'shoptalk_drift_score{{method="model"}} {result.score}' in text
