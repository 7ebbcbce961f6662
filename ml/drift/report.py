"""The Evidently HTML drift report (slow: its t-SNE plot takes ~30 s) — only on request."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ml.drift.detector import as_frame, drift_method


def render_report(
    reference: np.ndarray,
    current: np.ndarray,
    path: Path,
    method: str = "model",
    threshold: float | None = None,
) -> Path:
    from evidently import DataDefinition, Dataset, Report
    from evidently.metrics.embeddings import EmbeddingsDrift

    ref_frame, cur_frame = as_frame(reference), as_frame(current)
    definition = DataDefinition(numerical_columns=[], embeddings={"query": list(ref_frame.columns)})
    report = Report([EmbeddingsDrift(embeddings_name="query", drift_method=drift_method(method, threshold))])
    snapshot = report.run(
        Dataset.from_pandas(cur_frame, data_definition=definition),
        Dataset.from_pandas(ref_frame, data_definition=definition),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    snapshot.save_html(str(path))
    return path
