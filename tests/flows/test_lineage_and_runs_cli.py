"""The lineage store and ``shoptalk runs`` / ``shoptalk runs show``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from ml.config import Settings, get_settings
from ml.lineage import COMPLETED, CRASHED, FAILED, LineageStore, StageRecord, record_ingest_report, track_run


def test_runs_and_stages_round_trip(tmp_path: Path) -> None:
    store = LineageStore(tmp_path / "lineage.db")
    run_id = store.start_run("ingest", {"catalog": "x"}, model_version="m1")
    store.record_stage(run_id, StageRecord("read", records_in=10, records_out=9, skipped=1, seconds=0.5))
    store.record_stage(run_id, StageRecord("embed+index", records_in=9, records_out=4, status="running"))
    store.record_stage(run_id, StageRecord("embed+index", records_in=9, records_out=9))  # progress update
    store.finish_run(run_id, COMPLETED, {"embedded": 9})
    run = store.get_run(run_id[:-2])  # a unique prefix works
    assert run is not None and run.status == COMPLETED and run.summary == {"embedded": 9}
    assert [(s.stage, s.records_out, s.status) for s in run.stages] == [
        ("read", 9, "ok"),
        ("embed+index", 9, "ok"),
    ]
    assert run.params == {"catalog": "x"} and run.model_version == "m1" and run.seconds is not None
    assert store.get_run("nope") is None


def test_failed_and_crashed_runs_are_reported(tmp_path: Path) -> None:
    store = LineageStore(tmp_path / "lineage.db")
    with pytest.raises(RuntimeError), track_run(store, "finetune") as failing:
        raise RuntimeError("out of memory")
    failed = store.get_run(failing)
    assert failed is not None and failed.status == FAILED and "out of memory" in (failed.error or "")
    # a run whose process died without finishing
    db = str(tmp_path / "lineage.db")
    code = f"from ml.lineage import LineageStore; print(LineageStore({db!r}).start_run('ingest'))"
    dead = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    crashed = store.get_run(dead)
    assert crashed is not None and crashed.status == CRASHED


def test_plain_ingest_report_can_be_recorded(tmp_path: Path) -> None:
    from ml.catalog.reader import LoadReport
    from ml.ingest.pipeline import IngestReport, StageStats

    report = IngestReport(
        LoadReport(lines_read=3, parsed=3),
        products=3,
        embedded=3,
        model_version="m2",
        stages=[StageStats("read", 3, 3, status="ok"), StageStats("embed+index", 3, 3, status="ok")],
    )
    run_id = record_ingest_report(Settings(data_dir=tmp_path), report, {"catalog": "c"})
    run = LineageStore(tmp_path / "lineage.db").get_run(run_id)
    assert run is not None and run.status == COMPLETED and run.model_version == "m2"
    assert [s.stage for s in run.stages] == ["read", "embed+index"] and run.summary["embedded"] == 3


def test_runs_cli_lists_and_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.cli import app

    store = LineageStore(tmp_path / "lineage.db")
    run_id = store.start_run("drift", {"window": 50})
    store.record_stage(run_id, StageRecord("detect", records_in=50, records_out=1, status="drift"))
    store.finish_run(run_id, COMPLETED, {"method": "model", "score": 0.9, "status": "fail"})
    monkeypatch.setenv("SHOPTALK_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        listed = runner.invoke(app, ["runs", "--json"])
        assert listed.exit_code == 0, listed.output
        assert [r["run_id"] for r in json.loads(listed.stdout)] == [run_id]
        shown = runner.invoke(app, ["runs", "show", run_id, "--json"])
        assert json.loads(shown.stdout)["stages"][0]["status"] == "drift"
        table = runner.invoke(app, ["runs", "show", run_id], env={"COLUMNS": "200"})
        assert "detect" in table.stdout and "[completed]" in table.stdout
        missing = runner.invoke(app, ["runs", "show", "zzz"])
        assert missing.exit_code == 1
    finally:
        get_settings.cache_clear()
        structlog.reset_defaults()  # the CLI pointed structlog at the runner's (now closed) stderr
