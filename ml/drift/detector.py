"""Embedding drift with Evidently 0.7's drift methods, called directly for the number.

``model`` (default): a domain classifier tells reference from current; score = ROC AUC
(0.5 = indistinguishable). ``mmd``: maximum mean discrepancy. ``ratio``: share of drifted
components. ``distance``: distance between mean embeddings. The HTML report (with its slow
t-SNE plot) is rendered separately, only on request (:mod:`ml.drift.report`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

METHODS = ("model", "mmd", "ratio", "distance")


@dataclass
class DriftResult:
    score: float
    detected: bool
    method: str
    threshold: float | None
    reference_size: int
    current_size: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 6),
            "detected": self.detected,
            "method": self.method,
            "threshold": self.threshold,
            "reference_size": self.reference_size,
            "current_size": self.current_size,
            "seconds": round(self.seconds, 3),
        }


def drift_method(method: str, threshold: float | None = None) -> Any:
    """The Evidently ``DriftMethod`` object (callable ``(current_df, reference_df)``)."""
    from evidently.legacy.metrics.data_drift import embedding_drift_methods as m

    kwargs: dict[str, Any] = {} if threshold is None else {"threshold": threshold}
    if method == "model":
        return m.model(**kwargs)
    if method == "mmd":
        return m.mmd(**kwargs)
    if method == "ratio":
        return m.ratio(**kwargs)
    if method == "distance":
        return m.distance(**kwargs)
    raise ValueError(f"unknown drift method {method!r}; choose one of {', '.join(METHODS)}")


def as_frame(vectors: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        np.asarray(vectors, dtype=np.float64), columns=[f"e{i}" for i in range(vectors.shape[1])]
    )


def detect_drift(
    reference: np.ndarray,
    current: np.ndarray,
    method: str = "model",
    threshold: float | None = None,
    min_current: int = 20,
) -> DriftResult:
    if reference.ndim != 2 or current.ndim != 2 or reference.shape[1] != current.shape[1]:
        raise ValueError(f"embedding shapes differ: reference {reference.shape}, current {current.shape}")
    if current.shape[0] < min_current or reference.shape[0] < min_current:
        raise ValueError(
            f"too few embeddings for a drift check: {current.shape[0]} current, "
            f"{reference.shape[0]} reference (need >= {min_current} each)"
        )
    func = drift_method(method, threshold)
    start = time.perf_counter()
    np.random.seed(0)  # the model method's train/test split and SGD are seeded through numpy
    score, detected, _name = func(as_frame(current), as_frame(reference))
    return DriftResult(
        score=float(score),
        detected=bool(detected),
        method=method,
        threshold=getattr(func, "threshold", threshold),
        reference_size=int(reference.shape[0]),
        current_size=int(current.shape[0]),
        seconds=time.perf_counter() - start,
    )
