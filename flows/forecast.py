"""The forecast flow: next-week demand per product type and per top item.

History is the gateway's interaction log, or seeded synthetic sessions while the log is shorter
than ``min_days`` (the report says which). Backtests LightGBM-on-lags against seasonal naive
(MASE), writes ``SHOPTALK_DATA_DIR/forecast/latest.{json,md}``, the Prometheus textfile
``metrics/shoptalk_forecast.prom`` and an MLflow run (experiment ``shoptalk-forecast``).
"""

from __future__ import annotations

from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.runtime import prefect_flow_run_id
from ml.catalog.product import Product
from ml.config import Settings, get_settings
from ml.forecast.model import ForecastReport, forecast_demand
from ml.forecast.run import MIN_DAYS, load_history, log_mlflow, write_outputs
from ml.forecast.series import daily_series
from ml.lineage import COMPLETED, LineageStore, StageTimer, track_run
from ml.logging import get_logger
from ml.recommend.synthetic import Event

log = get_logger(__name__)


@task(name="load-history", cache_policy=NO_CACHE, persist_result=False)
def history_task(
    settings: Settings, products: list[Product] | None, min_days: int, seed: int
) -> tuple[list[Event], str]:
    return load_history(settings, products, min_days, seed)


@task(name="forecast-demand", cache_policy=NO_CACHE, persist_result=False)
def forecast_task(events: list[Event], seed: int) -> ForecastReport:
    days, series = daily_series(events)
    return forecast_demand(days, series, seed=seed)


@task(
    name="export-forecast", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=[2, 5]
)
def export_task(settings: Settings, report: ForecastReport) -> dict[str, str]:
    outputs = write_outputs(settings, report)
    outputs["mlflow_run_id"] = log_mlflow(settings, report, outputs)
    return outputs


@flow(name="shoptalk-forecast", persist_result=False, log_prints=False)
def forecast_flow(
    min_days: int = MIN_DAYS,
    seed: int = 13,
    settings: Settings | None = None,
    products: list[Product] | None = None,
) -> dict[str, Any]:
    """Forecast next-week demand; returns the report with its outputs."""
    settings = settings or get_settings()
    store = LineageStore.for_settings(settings)
    params = {"min_days": min_days, "seed": seed}
    with track_run(store, "forecast", params, orchestrator_run_id=prefect_flow_run_id()) as run_id:
        stage = StageTimer(store, run_id, "history")
        events, source = history_task(settings, products, min_days, seed)
        stage.done(records_out=len(events), detail=f"source {source}")
        stage = StageTimer(store, run_id, "forecast")
        report = forecast_task(events, seed)
        report.history_source = source
        stage.done(
            records_out=len(report.series), detail=f"MASE {report.mase_model} vs {report.mase_seasonal_naive}"
        )
        stage = StageTimer(store, run_id, "export")
        outputs = export_task(settings, report)
        stage.done(records_out=len(outputs))
        record = {"lineage_run_id": run_id, "report": report.as_dict(), "outputs": outputs}
        store.finish_run(run_id, COMPLETED, {"mase_model": report.mase_model, "source": source})
        log.info("forecast.flow_done", mase=report.mase_model, naive=report.mase_seasonal_naive)
        return record
