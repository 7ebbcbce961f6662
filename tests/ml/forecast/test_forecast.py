"""Demand series, MASE, and LightGBM-on-lags vs seasonal naive on seeded synthetic history."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from ml.catalog.reader import read_catalog
from ml.config import Settings
from ml.forecast.model import forecast_demand, mase, seasonal_naive
from ml.forecast.run import load_history, markdown, write_outputs
from ml.forecast.series import daily_series
from ml.paths import SAMPLE_CATALOG
from ml.recommend.events import InteractionLog
from ml.recommend.synthetic import Event, generate_sessions


def test_mase_and_seasonal_naive_by_hand() -> None:
    train = np.array([1, 2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6, 7, 8], dtype=float)
    assert list(seasonal_naive(train, 7)) == [2, 3, 4, 5, 6, 7, 8]
    # in-sample seasonal errors are all 1 → MASE equals the forecast's MAE
    assert mase(np.array([3.0, 3.0]), np.array([1.0, 3.0]), train) == pytest.approx(1.0)
    assert np.isnan(mase(np.ones(2), np.ones(2), np.ones(14)))  # no scale: undefined, not infinite


def test_daily_series_counts_types_and_top_items() -> None:
    events = [
        Event("a", "2026-09-07T10:00:00+00:00", "view", "X", "RUG"),
        Event("a", "2026-09-07T10:01:00+00:00", "add_to_cart", "X", "RUG"),
        Event("b", "2026-09-09T10:00:00+00:00", "query", None, "SOFA", "sofa"),
    ]
    days, series = daily_series(events, top_items=1)
    assert days == [date(2026, 9, 7) + timedelta(d) for d in range(3)]
    assert list(series["type:RUG"]) == [4, 0, 0] and list(series["type:SOFA"]) == [0, 0, 1]
    assert list(series["item:X"]) == [4, 0, 0]


@pytest.fixture(scope="module")
def history():  # type: ignore[no-untyped-def]
    products = read_catalog(SAMPLE_CATALOG).products
    return generate_sessions(products, n_sessions=2400, weeks=8, seed=21)


def test_lightgbm_on_lags_beats_seasonal_naive(history) -> None:  # type: ignore[no-untyped-def]
    days, series = daily_series(history, top_items=5)
    report = forecast_demand(days, series, seed=1)
    assert report.days == 56 and len(report.series) == len(series)
    assert all(len(s.forecast) == 7 and s.next_week_total >= 0 for s in report.series)
    # seasonal naive doubles the day-to-day noise; a pooled model on lags averages it out
    assert report.mase_model < report.mase_seasonal_naive - 0.05
    assert 0 < report.mase_model < 1.5


def test_short_logs_fall_back_to_synthetic_history(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    InteractionLog.in_data_dir(tmp_path).append(Event("s", "2026-10-01T10:00:00+00:00", "view", "X", "RUG"))
    products = read_catalog(SAMPLE_CATALOG).products[:300]
    events, source = load_history(settings, products, min_days=35)
    assert source == "synthetic" and len({e.ts[:10] for e in events}) >= 35
    days, series = daily_series(events)
    report = forecast_demand(days, series)
    report.history_source = source
    outputs = write_outputs(settings, report)
    assert "synthetic" in Path(outputs["markdown"]).read_text() and "MASE" in markdown(report)
    prom = Path(outputs["textfile"]).read_text()
    assert 'shoptalk_forecast_mase{model="lightgbm"}' in prom and "seasonal_naive" in prom


def test_forecast_needs_enough_days() -> None:
    with pytest.raises(ValueError, match="at least"):
        forecast_demand([date(2026, 1, 1)], {"type:X": np.ones(1)})
