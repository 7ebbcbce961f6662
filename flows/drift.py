"""The drift flow: recent logged query embeddings vs the reference, with Evidently's method.

Writes ``SHOPTALK_DATA_DIR/drift/latest.json`` (score, pass/fail, sizes) and appends to
``history.jsonl``, exports ``shoptalk_drift_score`` / ``shoptalk_drift_detected`` (textfile,
and a Pushgateway when configured), and renders the HTML report only when asked.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.runtime import prefect_flow_run_id, unvisited
from ml.config import Settings, get_settings
from ml.drift.detector import DriftResult, detect_drift
from ml.drift.exporter import push, write_textfile
from ml.drift.query_log import QueryEmbeddingLog
from ml.drift.reference import load_or_build_reference
from ml.lineage import COMPLETED, LineageStore, StageTimer, track_run
from ml.logging import get_logger
from ml.paths import SAMPLE_CATALOG

log = get_logger(__name__)


def drift_dir(settings: Settings) -> Path:
    return settings.data_dir / "drift"


def metrics_textfile(settings: Settings) -> Path:
    return settings.data_dir / "metrics" / "shoptalk_drift.prom"


@task(name="load-reference", cache_policy=NO_CACHE, persist_result=False)
def reference_task(
    settings: Settings, catalog: str, limit: int | None, rebuild: bool
) -> tuple[np.ndarray, bool]:
    from ml.retrieval.factory import build_embedder

    return load_or_build_reference(settings, build_embedder(settings), catalog, limit, rebuild)


@task(name="load-window", cache_policy=NO_CACHE, persist_result=False)
def window_task(settings: Settings, window: int) -> np.ndarray:
    return QueryEmbeddingLog(settings).vectors(last=window)


@task(name="detect-drift", cache_policy=NO_CACHE, persist_result=False)
def detect_task(
    reference: np.ndarray, current: np.ndarray, method: str, threshold: float | None
) -> DriftResult:
    return detect_drift(reference, current, method, threshold)


@task(name="export-drift", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=[2, 5])
def export_task(settings: Settings, result: DriftResult, record: dict[str, Any]) -> dict[str, str]:
    folder = drift_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    latest = folder / "latest.json"
    tmp = latest.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n")
    tmp.replace(latest)
    with open(folder / "history.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
    written = {"json": str(latest), "textfile": str(write_textfile(result, metrics_textfile(settings)))}
    if settings.pushgateway_url:
        push(result, settings.pushgateway_url, settings.service_timeout_s)
        written["pushgateway"] = settings.pushgateway_url
    return written


@task(name="render-report", cache_policy=NO_CACHE, persist_result=False)
def report_task(
    reference: np.ndarray, current: np.ndarray, path: Path, method: str, threshold: float | None
) -> str:
    from ml.drift.report import render_report

    return str(render_report(reference, current, path, method, threshold))


@flow(name="shoptalk-drift", persist_result=False, log_prints=False)
def drift_flow(
    catalog: str = str(SAMPLE_CATALOG),
    window: int | None = None,
    method: str | None = None,
    threshold: float | None = None,
    report: bool = False,
    limit: int | None = None,
    rebuild_reference: bool = False,
    settings: Settings | None = None,
    reference: Any = None,
) -> dict[str, Any]:
    """Compare the newest logged query embeddings with the reference; pass/fail + metrics.

    ``reference`` (embeddings) overrides the catalog reference."""
    settings = settings or get_settings()
    method = method or settings.drift_method
    threshold = settings.drift_threshold if threshold is None else threshold
    window = window or settings.drift_window
    store = LineageStore.for_settings(settings)
    params = {
        "catalog": catalog,
        "window": window,
        "method": method,
        "threshold": threshold,
        "report": report,
    }
    with track_run(store, "drift", params, orchestrator_run_id=prefect_flow_run_id()) as run_id:
        stage = StageTimer(store, run_id, "reference")
        rebuilt = False
        if reference is None:
            reference, rebuilt = reference_task(settings, catalog, limit, rebuild_reference)
        stage.done(records_out=len(reference), detail="rebuilt" if rebuilt else "cached or given")

        stage = StageTimer(store, run_id, "window")
        current = window_task(settings, window)
        stage.done(records_out=int(current.shape[0]), detail=f"newest {window} logged query embeddings")

        stage = StageTimer(store, run_id, "detect")
        result = detect_task(unvisited(reference), unvisited(current), method, threshold)
        stage.done(
            records_in=result.current_size,
            records_out=1,
            status="drift" if result.detected else "ok",
            detail=f"{method} score {result.score:.4f} (threshold {result.threshold})",
        )

        record = {
            "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "lineage_run_id": run_id,
            **result.as_dict(),
            "reference_rebuilt": rebuilt,
            "status": "fail" if result.detected else "pass",
        }
        stage = StageTimer(store, run_id, "export")
        record["outputs"] = export_task(settings, result, record)
        stage.done(records_out=len(record["outputs"]))

        if report:
            stage = StageTimer(store, run_id, "report")
            path = drift_dir(settings) / f"report-{run_id}.html"
            record["report"] = report_task(unvisited(reference), unvisited(current), path, method, threshold)
            stage.done(records_out=1, detail=record["report"])
        store.finish_run(run_id, COMPLETED, record)
        log.info("drift.done", score=result.score, detected=result.detected, method=method)
        return record
