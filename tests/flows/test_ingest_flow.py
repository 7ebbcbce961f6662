"""The ingestion flow end to end: idempotent, retried, lineage recorded, resumable after a kill."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from flows.ingest import IngestComponents, ingest_flow
from ml.catalog.reader import read_catalog
from ml.config import Settings
from ml.lineage import COMPLETED, CRASHED, FAILED, LineageStore
from ml.retrieval.factory import build_keyword_index, build_vector_index
from ml.retrieval.protocols import IndexUnavailable

REPO = Path(__file__).resolve().parents[2]


def components_for(settings: Settings, embedder: Any) -> IngestComponents:
    return IngestComponents(
        embedder,
        build_keyword_index(settings),
        build_vector_index(settings, embedder.dim),
        captioner_skip_reason="no captioner configured (test)",
    )


def index_state(settings: Settings, dim: int) -> dict[str, Any]:
    keyword = build_keyword_index(settings)
    vector = build_vector_index(settings, dim)
    try:
        return {
            "keyword_count": keyword.count(),
            "vector_count": vector.count(),
            "keyword_ids": keyword.ids(),
            "vector_versions": vector.model_versions(),
        }
    finally:
        vector.close()  # type: ignore[attr-defined]


def test_ingest_twice_gives_same_counts_and_records_lineage(
    prefect_api_url: str, small_catalog: Path, embedder: Any, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path)
    expected = len(read_catalog(small_catalog).products)
    parts = components_for(settings, embedder)
    try:
        first = ingest_flow(catalog=str(small_catalog), batch_size=32, settings=settings, components=parts)
        second = ingest_flow(catalog=str(small_catalog), batch_size=32, settings=settings, components=parts)
    finally:
        parts.vector.close()  # type: ignore[attr-defined]

    assert first["embedded"] == expected
    assert (first["keyword_count"], first["vector_count"]) == (expected, expected)
    assert second["embedded"] == 0 and second["unchanged_skipped"] == expected
    assert (second["keyword_count"], second["vector_count"]) == (expected, expected)

    store = LineageStore.for_settings(settings)
    runs = store.list_runs(kind="ingest")
    assert [r.status for r in runs] == [COMPLETED, COMPLETED]
    run = store.get_run(first["lineage_run_id"])
    assert run is not None and run.model_version == embedder.model_version
    stages = {s.stage: s for s in run.stages}
    assert list(stages) == ["read", "caption", "plan", "embed+index"]
    assert stages["read"].records_out == expected and stages["read"].skipped == 1  # the malformed line
    assert stages["caption"].status == "skipped" and "no captioner" in stages["caption"].detail
    assert stages["embed+index"].records_out == expected
    assert all(s.model_version == embedder.model_version for s in run.stages)
    rerun = store.get_run(second["lineage_run_id"])
    assert rerun is not None
    assert {s.stage: s.skipped for s in rerun.stages}["plan"] == expected


class FlakyVectorIndex:
    """Delegates to a real index; the first ``failures`` upserts raise ``error``."""

    def __init__(self, inner: Any, failures: int, error: Exception) -> None:
        self.inner = inner
        self.failures = failures
        self.error = error
        self.calls = 0

    def upsert(self, products: Any, vectors: Any) -> int:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return int(self.inner.upsert(products, vectors))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_transient_index_failure_is_retried(
    prefect_api_url: str, small_catalog: Path, embedder: Any, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path)
    parts = components_for(settings, embedder)
    flaky = FlakyVectorIndex(parts.vector, failures=1, error=IndexUnavailable("milvus restarting"))
    parts.vector = flaky  # type: ignore[assignment]
    try:
        summary = ingest_flow(catalog=str(small_catalog), batch_size=64, settings=settings, components=parts)
    finally:
        flaky.inner.close()
    expected = len(read_catalog(small_catalog).products)
    assert flaky.calls == 3  # 2 batches + 1 retry
    assert summary["vector_count"] == expected == summary["keyword_count"]


def test_permanent_failure_fails_the_run_and_is_recorded(
    prefect_api_url: str, small_catalog: Path, embedder: Any, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path)
    parts = components_for(settings, embedder)
    flaky = FlakyVectorIndex(parts.vector, failures=99, error=ValueError("schema mismatch"))
    parts.vector = flaky  # type: ignore[assignment]
    try:
        with pytest.raises(ValueError, match="schema mismatch"):
            ingest_flow(catalog=str(small_catalog), batch_size=64, settings=settings, components=parts)
    finally:
        flaky.inner.close()
    assert flaky.calls == 1  # not a transient error: no retry
    (run,) = LineageStore.for_settings(settings).list_runs()
    assert run.status == FAILED and "schema mismatch" in (run.error or "")


def _child(data_dir: Path, catalog: Path, batch: int, pause: float, api_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PREFECT_API_URL": api_url, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.flows.ingest_child",
            str(data_dir),
            str(catalog),
            str(batch),
            str(pause),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _embedded_so_far(lineage_db: Path) -> int:
    if not lineage_db.exists():
        return 0
    try:
        with sqlite3.connect(lineage_db, timeout=5) as conn:
            row = conn.execute("SELECT records_out FROM stages WHERE stage = 'embed+index'").fetchone()
    except sqlite3.OperationalError:
        return 0
    return int(row[0]) if row else 0


def _finish(proc: subprocess.Popen[str]) -> dict[str, Any]:
    stdout, stderr = proc.communicate(timeout=240)
    assert proc.returncode == 0, stderr[-3000:]
    line = next(x for x in stdout.splitlines() if x.startswith("SUMMARY "))
    return dict(json.loads(line.removeprefix("SUMMARY ")))


def test_killed_run_resumes_to_the_same_index_as_an_uninterrupted_run(
    prefect_api_url: str, small_catalog: Path, embedder: Any, tmp_path: Path
) -> None:
    batch = 10
    killed_dir, clean_dir = tmp_path / "killed", tmp_path / "clean"
    clean_proc = _child(clean_dir, small_catalog, batch, 0.0, prefect_api_url)  # the reference, meanwhile
    proc = _child(killed_dir, small_catalog, batch, 0.7, prefect_api_url)
    deadline = time.monotonic() + 180
    try:
        while _embedded_so_far(killed_dir / "lineage.db") < 2 * batch:
            assert proc.poll() is None, proc.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "ingest child made no progress"
            time.sleep(0.1)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the whole group: the flow and its Milvus Lite server
        proc.wait(timeout=30)
    done_before_kill = _embedded_so_far(killed_dir / "lineage.db")
    expected = len(read_catalog(small_catalog).products)
    assert 2 * batch <= done_before_kill < expected

    resumed = _finish(_child(killed_dir, small_catalog, batch, 0.0, prefect_api_url))
    clean = _finish(clean_proc)

    assert clean["embedded"] == expected
    assert resumed["unchanged_skipped"] > 0 and resumed["embedded"] < expected  # it resumed, not restarted
    settings_killed, settings_clean = Settings(data_dir=killed_dir), Settings(data_dir=clean_dir)
    killed_state = index_state(settings_killed, embedder.dim)
    clean_state = index_state(settings_clean, embedder.dim)
    assert killed_state == clean_state
    assert killed_state["keyword_count"] == expected == killed_state["vector_count"]

    runs = LineageStore.for_settings(settings_killed).list_runs()
    assert [r.status for r in runs] == [COMPLETED, CRASHED]
