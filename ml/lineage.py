"""Run lineage: what every pipeline run read, wrote and skipped, per stage, in SQLite.

One file, ``SHOPTALK_DATA_DIR/lineage.db``, with two tables: ``runs`` (one row per flow run:
kind, parameters, model version, status, summary, host/pid) and ``stages`` (one row per stage
of a run: records in/out/skipped, seconds, status, detail, model version). A stage row is
upserted while it runs, so a killed run shows how far it got; a run still marked ``running``
whose process is gone (same host) is reported as ``crashed``. ``shoptalk runs`` reads it.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ml.config import Settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    model_version TEXT,
    params TEXT NOT NULL DEFAULT '{}',
    summary TEXT NOT NULL DEFAULT '{}',
    error TEXT,
    host TEXT,
    pid INTEGER,
    orchestrator_run_id TEXT
);
CREATE TABLE IF NOT EXISTS stages (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    stage TEXT NOT NULL,
    records_in INTEGER NOT NULL DEFAULT 0,
    records_out INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    seconds REAL NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    model_version TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (run_id, stage)
);
CREATE INDEX IF NOT EXISTS runs_started ON runs(started_at);
"""

RUNNING = "running"
COMPLETED = "completed"
FAILED = "failed"
CRASHED = "crashed"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def lineage_path(settings: Settings) -> Path:
    return settings.data_dir / "lineage.db"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class StageRecord:
    stage: str
    records_in: int = 0
    records_out: int = 0
    skipped: int = 0
    seconds: float = 0.0
    status: str = "ok"
    detail: str = ""
    model_version: str | None = None
    seq: int = 0
    updated_at: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], model_version: str | None = None) -> StageRecord:
        """From :meth:`ml.ingest.pipeline.StageStats.as_dict` (key ``stage``) or a plain dict."""
        return cls(
            stage=str(data.get("stage") or data.get("name")),
            records_in=int(data.get("records_in", 0)),
            records_out=int(data.get("records_out", 0)),
            skipped=int(data.get("skipped", 0)),
            seconds=float(data.get("seconds", 0.0)),
            status=str(data.get("status", "ok")),
            detail=str(data.get("detail", "")),
            model_version=model_version or data.get("model_version"),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "records_in": self.records_in,
            "records_out": self.records_out,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
            "status": self.status,
            "detail": self.detail,
            "model_version": self.model_version,
        }


@dataclass
class RunRecord:
    run_id: str
    kind: str
    started_at: str
    status: str
    finished_at: str | None = None
    model_version: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    host: str | None = None
    pid: int | None = None
    orchestrator_run_id: str | None = None
    stages: list[StageRecord] = field(default_factory=list)

    @property
    def seconds(self) -> float | None:
        if not self.finished_at:
            return None
        start = datetime.fromisoformat(self.started_at)
        return (datetime.fromisoformat(self.finished_at) - start).total_seconds()

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "status": self.status,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "seconds": self.seconds,
            "model_version": self.model_version,
            "params": self.params,
            "summary": self.summary,
            "error": self.error,
            "host": self.host,
            "pid": self.pid,
            "orchestrator_run_id": self.orchestrator_run_id,
            "stages": [s.as_dict() for s in self.stages],
        }


class LineageStore:
    """SQLite lineage store; safe to use from several processes (short transactions, WAL)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.executescript(SCHEMA)

    @classmethod
    def for_settings(cls, settings: Settings) -> LineageStore:
        return cls(lineage_path(settings))

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30.0)) as conn:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            with conn:  # one transaction
                yield conn

    # ------------------------------------------------------------------ writing
    def start_run(
        self,
        kind: str,
        params: Mapping[str, Any] | None = None,
        model_version: str | None = None,
        orchestrator_run_id: str | None = None,
    ) -> str:
        run_id = f"{kind}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO runs (run_id, kind, started_at, status, model_version, params, host, pid,"
                " orchestrator_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    kind,
                    _now(),
                    RUNNING,
                    model_version,
                    json.dumps(dict(params or {}), default=str),
                    socket.gethostname(),
                    os.getpid(),
                    orchestrator_run_id,
                ),
            )
        return run_id

    def record_stage(self, run_id: str, stage: StageRecord) -> None:
        """Insert or update the stage row (call repeatedly to show progress)."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT seq FROM stages WHERE run_id = ? AND stage = ?", (run_id, stage.stage)
            ).fetchone()
            if row is None:
                seq = conn.execute("SELECT COUNT(*) FROM stages WHERE run_id = ?", (run_id,)).fetchone()[0]
            else:
                seq = row["seq"]
            conn.execute(
                "INSERT OR REPLACE INTO stages (run_id, seq, stage, records_in, records_out, skipped,"
                " seconds, status, detail, model_version, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    seq,
                    stage.stage,
                    stage.records_in,
                    stage.records_out,
                    stage.skipped,
                    stage.seconds,
                    stage.status,
                    stage.detail[:2000],
                    stage.model_version,
                    _now(),
                ),
            )

    def set_model_version(self, run_id: str, model_version: str) -> None:
        with self._connect() as conn:
            conn.execute("UPDATE runs SET model_version = ? WHERE run_id = ?", (model_version, run_id))

    def finish_run(
        self,
        run_id: str,
        status: str = COMPLETED,
        summary: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        with self._connect() as conn:
            conn.execute(
                "UPDATE runs SET status = ?, finished_at = ?, summary = ?, error = ? WHERE run_id = ?",
                (status, _now(), json.dumps(dict(summary or {}), default=str), error, run_id),
            )

    # ------------------------------------------------------------------ reading
    def _run_from_row(self, row: sqlite3.Row) -> RunRecord:
        status = row["status"]
        if (
            status == RUNNING
            and row["host"] == socket.gethostname()
            and row["pid"]
            and not _pid_alive(row["pid"])
        ):
            status = CRASHED
        return RunRecord(
            run_id=row["run_id"],
            kind=row["kind"],
            started_at=row["started_at"],
            status=status,
            finished_at=row["finished_at"],
            model_version=row["model_version"],
            params=json.loads(row["params"] or "{}"),
            summary=json.loads(row["summary"] or "{}"),
            error=row["error"],
            host=row["host"],
            pid=row["pid"],
            orchestrator_run_id=row["orchestrator_run_id"],
        )

    def list_runs(self, limit: int = 20, kind: str | None = None) -> list[RunRecord]:
        query = "SELECT * FROM runs"
        args: list[Any] = []
        if kind:
            query += " WHERE kind = ?"
            args.append(kind)
        query += " ORDER BY started_at DESC, rowid DESC LIMIT ?"
        args.append(limit)
        with self._connect() as conn:
            rows = conn.execute(query, args).fetchall()
        return [self._run_from_row(r) for r in rows]

    def get_run(self, run_id: str) -> RunRecord | None:
        """A run with its stages; ``run_id`` may be a unique prefix."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM runs WHERE run_id LIKE ? ORDER BY started_at DESC LIMIT 2", (run_id + "%",)
            ).fetchall()
            if len(rows) != 1 and not (rows and rows[0]["run_id"] == run_id):
                return None
            run = self._run_from_row(rows[0])
            stages = conn.execute(
                "SELECT * FROM stages WHERE run_id = ? ORDER BY seq", (run.run_id,)
            ).fetchall()
        run.stages = [
            StageRecord(
                stage=s["stage"],
                records_in=s["records_in"],
                records_out=s["records_out"],
                skipped=s["skipped"],
                seconds=s["seconds"],
                status=s["status"],
                detail=s["detail"],
                model_version=s["model_version"],
                seq=s["seq"],
                updated_at=s["updated_at"],
            )
            for s in stages
        ]
        return run


@contextmanager
def track_run(
    store: LineageStore,
    kind: str,
    params: Mapping[str, Any] | None = None,
    orchestrator_run_id: str | None = None,
) -> Iterator[str]:
    """Start a run, yield its id, mark it failed (with the error) if the body raises.

    The caller marks success with :meth:`LineageStore.finish_run` (it knows the summary).
    """
    run_id = store.start_run(kind, params, orchestrator_run_id=orchestrator_run_id)
    try:
        yield run_id
    except BaseException as exc:
        store.finish_run(run_id, FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise


def record_ingest_report(
    settings: Settings, report: Any, params: Mapping[str, Any] | None = None, kind: str = "ingest"
) -> str:
    """Record a finished :class:`ml.ingest.pipeline.IngestReport` (the plain ``shoptalk ingest``)."""
    store = LineageStore.for_settings(settings)
    run_id = store.start_run(kind, params, model_version=report.model_version)
    for stats in report.stages:
        store.record_stage(run_id, StageRecord.from_mapping(stats.as_dict(), report.model_version))
    summary = report.as_dict()
    summary.pop("stages", None)
    store.finish_run(run_id, COMPLETED, summary)
    return run_id


class StageTimer:
    """Times a stage and writes it to the store (also as it progresses)."""

    def __init__(
        self, store: LineageStore, run_id: str, stage: str, model_version: str | None = None
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.record = StageRecord(stage=stage, status=RUNNING, model_version=model_version)
        self._start = time.perf_counter()

    def update(self, **changes: Any) -> None:
        for key, value in changes.items():
            setattr(self.record, key, value)
        self.record.seconds = time.perf_counter() - self._start
        self.store.record_stage(self.run_id, self.record)

    def done(self, status: str = "ok", **changes: Any) -> StageRecord:
        self.update(status=status, **changes)
        return self.record
