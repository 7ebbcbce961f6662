"""The forecast flow on Prefect's test server: synthetic history, report, textfile, MLflow run."""

from __future__ import annotations

import json
from pathlib import Path

from flows.forecast import forecast_flow
from ml.catalog.reader import read_catalog
from ml.config import Settings
from ml.lineage import LineageStore
from ml.paths import SAMPLE_CATALOG


def test_forecast_flow_writes_report_metric_and_mlflow_run(prefect_api_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    products = read_catalog(SAMPLE_CATALOG).products[:400]
    record = forecast_flow(min_days=35, seed=3, settings=settings, products=products)
    report = record["report"]
    assert report["history_source"] == "synthetic"  # no logged traffic in a fresh data dir
    assert report["mase_model"] > 0 and report["mase_seasonal_naive"] > 0
    latest = json.loads(Path(record["outputs"]["json"]).read_text())
    assert latest["mase_model"] == report["mase_model"]
    assert "shoptalk_forecast_next_week_demand" in Path(record["outputs"]["textfile"]).read_text()
    assert record["outputs"]["mlflow_run_id"]
    store = LineageStore.for_settings(settings)
    assert [r.run_id for r in store.list_runs(kind="forecast")] == [record["lineage_run_id"]]
    run = store.get_run(record["lineage_run_id"])
    assert run is not None
    assert run.status == "completed" and [s.stage for s in run.stages] == ["history", "forecast", "export"]
