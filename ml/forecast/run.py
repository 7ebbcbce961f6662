"""The forecasting job: history → backtest + next-week forecast → report, metric, MLflow.

History is the gateway's interaction log (``data_dir/interactions/events.jsonl``). When it spans
fewer than ``min_days`` days (there is no real traffic yet), the seeded synthetic sessions of
:mod:`ml.recommend.synthetic` over the catalog are used instead and the report says
``history_source: synthetic``.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from ml.catalog.product import Product
from ml.config import Settings
from ml.forecast.model import ForecastReport, forecast_demand
from ml.forecast.series import daily_series
from ml.logging import get_logger
from ml.recommend.events import InteractionLog
from ml.recommend.synthetic import Event, generate_sessions

log = get_logger(__name__)
MIN_DAYS = 42
EXPERIMENT = "shoptalk-forecast"


def load_history(
    settings: Settings, products: list[Product] | None, min_days: int = MIN_DAYS, seed: int = 13
) -> tuple[list[Event], str]:
    events = InteractionLog.in_data_dir(settings.data_dir).read()
    if events:
        days = {datetime.fromisoformat(e.ts).date() for e in events}
        if (max(days) - min(days)).days + 1 >= min_days:
            return events, "logs"
    if products is None:
        from ml.catalog.reader import read_catalog
        from ml.paths import SAMPLE_CATALOG

        products = read_catalog(SAMPLE_CATALOG).products
    weeks = max(6, -(-min_days // 7) + 1)
    return generate_sessions(products, n_sessions=400 * weeks, weeks=weeks, seed=seed), "synthetic"


def forecast_dir(settings: Settings) -> Path:
    return settings.data_dir / "forecast"


def markdown(report: ForecastReport) -> str:
    lines = [
        "# Demand forecast (next week)",
        "",
        f"History: {report.days} days ({report.start} …), source **{report.history_source}**"
        + (
            " — seeded synthetic sessions, not real traffic." if report.history_source == "synthetic" else "."
        ),
        f"Backtest on the last {report.horizon} days: MASE LightGBM-on-lags **{report.mase_model}** vs "
        f"seasonal naive **{report.mase_seasonal_naive}** (lower is better; 1.0 = in-sample naive error).",
        "",
        "| series | next-week demand | MASE model | MASE seasonal naive |",
        "|---|---:|---:|---:|",
    ]
    for s in sorted(report.series, key=lambda s: -s.next_week_total):
        lines.append(f"| {s.key} | {s.next_week_total} | {s.mase_model} | {s.mase_seasonal_naive} |")
    return "\n".join(lines) + "\n"


def write_outputs(settings: Settings, report: ForecastReport) -> dict[str, str]:
    folder = forecast_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    latest = folder / "latest.json"
    tmp = latest.with_suffix(".tmp")
    tmp.write_text(json.dumps(report.as_dict(), indent=2) + "\n")
    tmp.replace(latest)
    md = folder / "latest.md"
    md.write_text(markdown(report))
    return {"json": str(latest), "markdown": str(md), "textfile": str(write_textfile(report, settings))}


def write_textfile(report: ForecastReport, settings: Settings) -> Path:
    from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

    registry = CollectorRegistry()
    mase = Gauge("shoptalk_forecast_mase", "Backtest MASE of next-week demand.", ["model"], registry=registry)
    mase.labels("lightgbm").set(report.mase_model)
    mase.labels("seasonal_naive").set(report.mase_seasonal_naive)
    demand = Gauge(
        "shoptalk_forecast_next_week_demand", "Forecast next-week demand.", ["series"], registry=registry
    )
    for s in report.series:
        demand.labels(s.key).set(s.next_week_total)
    Gauge(
        "shoptalk_forecast_last_run_timestamp_seconds", "When the forecast last ran.", registry=registry
    ).set(time.time())
    path = settings.data_dir / "metrics" / "shoptalk_forecast.prom"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry)
    return path


def log_mlflow(settings: Settings, report: ForecastReport, outputs: dict[str, str]) -> str:
    import mlflow

    from ml.training.registry import ModelRegistry

    registry = ModelRegistry.from_settings(settings)
    experiment = registry.experiment_id(EXPERIMENT)
    with mlflow.start_run(experiment_id=experiment, run_name="forecast") as run:
        mlflow.log_params(
            {"history_source": report.history_source, "days": report.days, "horizon": report.horizon}
        )
        mlflow.log_metrics(
            {"mase_model": report.mase_model, "mase_seasonal_naive": report.mase_seasonal_naive}
        )
        for key in ("json", "markdown"):
            mlflow.log_artifact(outputs[key])
        return str(run.info.run_id)


def run_forecast(
    settings: Settings, products: list[Product] | None = None, min_days: int = MIN_DAYS, seed: int = 13
) -> dict[str, Any]:
    events, source = load_history(settings, products, min_days, seed)
    days, series = daily_series(events)
    report = forecast_demand(days, series, seed=seed)
    report.history_source = source
    outputs = write_outputs(settings, report)
    run_id = log_mlflow(settings, report, outputs)
    log.info("forecast.done", mase=report.mase_model, naive=report.mase_seasonal_naive, source=source)
    return {"report": report.as_dict(), "outputs": outputs, "mlflow_run_id": run_id}
