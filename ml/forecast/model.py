"""Next-week demand: LightGBM on lags vs a seasonal-naive baseline, scored by MASE.

One global LightGBM regressor (Poisson objective) over all series. Features use only lags of
at least ``horizon`` days (7, 14, 21, 28 and the mean of the week ``horizon`` days back) plus
day-of-week and the series' level, so the whole next week is forecast directly, without feeding
forecasts back in. The baseline is seasonal naive (each day = the same weekday last week).

MASE (mean absolute scaled error) divides a forecast's mean absolute error on the held-out week
by the in-sample mean absolute error of the one-season naive forecast on the training part:
< 1 beats that naive forecast on average, and the seasonal-naive baseline's own MASE on the
held-out week is reported next to the model's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

SEASON = 7
HORIZON = 7
LAGS = (7, 14, 21, 28)


@dataclass
class SeriesForecast:
    key: str
    forecast: list[float]
    actual: list[float] | None
    mase_model: float | None
    mase_seasonal_naive: float | None
    next_week_total: float


@dataclass
class ForecastReport:
    days: int
    start: str
    end: str
    horizon: int
    series: list[SeriesForecast] = field(default_factory=list)
    mase_model: float = float("nan")
    mase_seasonal_naive: float = float("nan")
    history_source: str = "logs"

    def as_dict(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "start": self.start,
            "end": self.end,
            "horizon": self.horizon,
            "history_source": self.history_source,
            "mase_model": self.mase_model,
            "mase_seasonal_naive": self.mase_seasonal_naive,
            "series": [s.__dict__ for s in self.series],
        }


def mase(actual: np.ndarray, forecast: np.ndarray, train: np.ndarray, season: int = SEASON) -> float:
    scale = float(np.mean(np.abs(train[season:] - train[:-season]))) if len(train) > season else 0.0
    if scale <= 0:
        return float("nan")
    return float(np.mean(np.abs(actual - forecast)) / scale)


def seasonal_naive(train: np.ndarray, horizon: int = HORIZON, season: int = SEASON) -> np.ndarray:
    last = train[-season:]
    return np.array([last[h % season] for h in range(horizon)], dtype=float)


def _row(y: np.ndarray, t: int, dow: int, level: float, horizon: int) -> list[float]:
    """Features for day ``t`` using values up to day ``t - horizon`` only."""
    lags = [y[t - lag] if t - lag >= 0 else np.nan for lag in LAGS]
    week = y[max(0, t - horizon - 6) : t - horizon + 1]
    return [*lags, float(np.mean(week)) if len(week) else np.nan, float(dow), level]


def _fit(series: dict[str, np.ndarray], first_dow: int, n_train: int, horizon: int, seed: int) -> Any:
    import lightgbm as lgb

    X, y = [], []
    for values in series.values():
        train = values[:n_train]
        level = float(np.mean(train)) if len(train) else 0.0
        for t in range(max(LAGS[1], horizon), n_train):
            X.append(_row(train, t, (first_dow + t) % 7, level, horizon))
            y.append(train[t])
    params = {
        "objective": "poisson",
        "learning_rate": 0.05,
        "num_leaves": 15,
        "min_data_in_leaf": 10,
        "seed": seed,
        "deterministic": True,
        "num_threads": 1,
        "verbosity": -1,
    }
    return lgb.train(params, lgb.Dataset(np.asarray(X), label=np.asarray(y)), num_boost_round=120)


def _predict(
    model: Any, values: np.ndarray, first_dow: int, n_known: int, horizon: int, level: float
) -> np.ndarray:
    ext = np.concatenate([values[:n_known], np.zeros(horizon)])
    rows = [_row(ext, n_known + h, (first_dow + n_known + h) % 7, level, horizon) for h in range(horizon)]
    return np.maximum(0.0, np.asarray(model.predict(np.asarray(rows)), dtype=float))


def forecast_demand(
    days: list[date], series: dict[str, np.ndarray], horizon: int = HORIZON, seed: int = 0
) -> ForecastReport:
    """Backtest on the last ``horizon`` days (MASE vs seasonal naive), then forecast the next week."""
    n = len(days)
    if n < LAGS[-1] + 2 * horizon:
        raise ValueError(f"need at least {LAGS[-1] + 2 * horizon} days of history, have {n}")
    first_dow = days[0].weekday()
    n_train = n - horizon
    backtest = _fit(series, first_dow, n_train, horizon, seed)
    final = _fit(series, first_dow, n, horizon, seed)
    report = ForecastReport(n, days[0].isoformat(), (days[-1] + timedelta(1)).isoformat(), horizon)
    model_scores, naive_scores = [], []
    for key, values in series.items():
        train, actual = values[:n_train], values[n_train:]
        level = float(np.mean(train))
        pred = _predict(backtest, values, first_dow, n_train, horizon, level)
        naive = seasonal_naive(train, horizon)
        m_model, m_naive = mase(actual, pred, train), mase(actual, naive, train)
        nxt = _predict(final, values, first_dow, n, horizon, float(np.mean(values)))
        report.series.append(
            SeriesForecast(
                key,
                [round(float(x), 3) for x in nxt],
                [float(x) for x in actual],
                None if np.isnan(m_model) else round(m_model, 4),
                None if np.isnan(m_naive) else round(m_naive, 4),
                round(float(nxt.sum()), 2),
            )
        )
        if not (np.isnan(m_model) or np.isnan(m_naive)):
            model_scores.append(m_model)
            naive_scores.append(m_naive)
    if model_scores:
        report.mase_model = round(float(np.mean(model_scores)), 4)
        report.mase_seasonal_naive = round(float(np.mean(naive_scores)), 4)
    return report
