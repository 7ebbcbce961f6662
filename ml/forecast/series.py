"""Interaction events → daily demand series (views, asks, add-to-cart weighted; queries counted
for their type), one per product type and one per top item."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import numpy as np

from ml.recommend.synthetic import Event

DEMAND_WEIGHTS = {"view": 1.0, "ask": 1.0, "add_to_cart": 3.0, "query": 1.0}


def _day(ts: str) -> date:
    return datetime.fromisoformat(ts).date()


def daily_series(events: Sequence[Event], top_items: int = 10) -> tuple[list[date], dict[str, np.ndarray]]:
    """Days (contiguous) and ``{"type:SOFA": counts, "item:B0…": counts}``."""
    if not events:
        return [], {}
    days_seen = [_day(e.ts) for e in events]
    first, last = min(days_seen), max(days_seen)
    days = [first + timedelta(d) for d in range((last - first).days + 1)]
    pos = {d: i for i, d in enumerate(days)}
    series: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(days)))
    item_totals: Counter[str] = Counter()
    for e, d in zip(events, days_seen, strict=True):
        w = DEMAND_WEIGHTS.get(e.event, 0.0)
        if not w:
            continue
        if e.product_type:
            series[f"type:{e.product_type}"][pos[d]] += w
        if e.item_id:
            item_totals[e.item_id] += 1
    top = {i for i, _ in item_totals.most_common(top_items)}
    for e, d in zip(events, days_seen, strict=True):
        if e.item_id in top and e.event in DEMAND_WEIGHTS:
            series[f"item:{e.item_id}"][pos[d]] += DEMAND_WEIGHTS[e.event]
    return days, dict(sorted(series.items()))
