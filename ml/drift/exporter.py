"""Drift results as Prometheus metrics: a node-exporter textfile in the data dir, and a push.

``shoptalk_drift_score`` and ``shoptalk_drift_detected`` gauges (labels: method), plus the
check's timestamp. The textfile (``SHOPTALK_DATA_DIR/metrics/shoptalk_drift.prom``) is for a
textfile collector or a sidecar; ``SHOPTALK_PUSHGATEWAY_URL`` pushes to a Pushgateway.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ml.drift.detector import DriftResult

JOB = "shoptalk-drift"


def _registry(result: DriftResult) -> Any:
    from prometheus_client import CollectorRegistry, Gauge

    registry = CollectorRegistry()
    labels = ["method"]
    Gauge(
        "shoptalk_drift_score", "Query-embedding drift score (Evidently method).", labels, registry=registry
    ).labels(result.method).set(result.score)
    Gauge(
        "shoptalk_drift_detected", "1 if query-embedding drift was detected.", labels, registry=registry
    ).labels(result.method).set(1.0 if result.detected else 0.0)
    Gauge(
        "shoptalk_drift_threshold", "Threshold the drift score is compared with.", labels, registry=registry
    ).labels(result.method).set(result.threshold if result.threshold is not None else float("nan"))
    Gauge(
        "shoptalk_drift_current_size",
        "Logged query embeddings in the compared window.",
        labels,
        registry=registry,
    ).labels(result.method).set(result.current_size)
    Gauge(
        "shoptalk_drift_last_run_timestamp_seconds", "When the drift check last ran.", registry=registry
    ).set(time.time())
    return registry


def write_textfile(result: DriftResult, path: Path) -> Path:
    from prometheus_client import write_to_textfile

    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), _registry(result))
    return path


def push(result: DriftResult, gateway_url: str, timeout_s: float = 10.0) -> None:
    from prometheus_client import push_to_gateway

    push_to_gateway(gateway_url, job=JOB, registry=_registry(result), timeout=timeout_s)
