"""Seeded synthetic shopper sessions (there is no real traffic yet).

Each session has a latent need — a product type, a price band (a third of that type's price
range) and, often, a colour preference. The shopper first searches (a ``query`` event naming
the type and colour), then views 3–12 items: mostly items of the needed type, weighted by the
item's latent popularity (a heavy-tailed draw per item), by fitting the price band and by the
colour; 15 % of views are noise (any popular item). Some viewed items get an ``ask``; a third of
sessions end with an ``add_to_cart`` of the best-fitting viewed item. Session start times span
``weeks`` weeks with weekly seasonality (weekends busier), a mild upward trend and per-type
seasonal drift, so the demand forecaster has real structure to find.

Everything is driven by ``random.Random(seed)`` and item hashes: the same catalog and seed
give byte-identical events.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

from ml.catalog.product import Product

START = datetime(2026, 9, 7, tzinfo=UTC)  # a Monday
DOW_WEIGHT = (0.85, 0.8, 0.85, 0.95, 1.1, 1.35, 1.3)  # Monday … Sunday
NOISE_VIEWS = 0.15
CART_RATE = 0.33
ASK_RATE = 0.2


@dataclass(frozen=True)
class Event:
    session_id: str
    ts: str  # ISO-8601 UTC
    event: str  # query | view | ask | add_to_cart
    item_id: str | None = None
    product_type: str | None = None
    query: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _unit(text: str) -> float:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") / 2**64


def item_popularity(item_id: str, seed: int) -> float:
    """Heavy-tailed latent popularity (log-normal from the item's hash)."""
    u1, u2 = max(_unit(f"{seed}:{item_id}:a"), 1e-12), _unit(f"{seed}:{item_id}:b")
    z = math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)
    return math.exp(1.1 * z)


def generate_sessions(
    products: Sequence[Product], n_sessions: int = 1500, weeks: int = 8, seed: int = 13
) -> list[Event]:
    """Events of ``n_sessions`` sessions, in time order."""
    rng = random.Random(seed)
    by_type: dict[str, list[Product]] = defaultdict(list)
    for p in sorted(products, key=lambda p: p.item_id):
        by_type[p.product_type].append(p)
    types = sorted(by_type)
    type_weight = {t: math.sqrt(len(by_type[t])) for t in types}
    phase = {t: 2 * math.pi * _unit(f"{seed}:{t}:phase") for t in types}
    pop = {p.item_id: item_popularity(p.item_id, seed) for p in products}
    all_items = sorted(products, key=lambda p: p.item_id)
    all_cum = list(accumulate(pop[p.item_id] for p in all_items))
    days = weeks * 7
    day_weights = [DOW_WEIGHT[(START + timedelta(d)).weekday()] * (1 + 0.3 * d / days) for d in range(days)]

    events: list[Event] = []
    for s in range(n_sessions):
        day = rng.choices(range(days), day_weights)[0]
        weights = [type_weight[t] * (1 + 0.35 * math.sin(2 * math.pi * day / 28 + phase[t])) for t in types]
        ptype = rng.choices(types, weights)[0]
        pool = by_type[ptype]
        prices = sorted(p.price for p in pool)
        band = rng.randrange(3)
        lo = prices[len(prices) * band // 3]
        hi = prices[min(len(prices) - 1, len(prices) * (band + 1) // 3)]
        colours = sorted({c for p in pool for c in p.colors})
        colour = rng.choice(colours) if colours and rng.random() < 0.7 else None

        def fit(p: Product, lo: float = lo, hi: float = hi, colour: str | None = colour) -> float:
            w = 1.0 if lo <= p.price <= hi else 0.2
            return w * (2.5 if colour and colour in p.colors else 1.0)

        fits = list(accumulate(pop[p.item_id] * fit(p) for p in pool))
        sid = f"s{seed}-{s:05d}"
        t = START + timedelta(days=day, seconds=rng.randrange(8 * 3600, 23 * 3600))
        query = " ".join(x for x in (colour, ptype.replace("_", " ").lower()) if x)
        events.append(Event(sid, t.isoformat(), "query", product_type=ptype, query=query))
        viewed: list[Product] = []
        for _ in range(rng.randint(3, 12)):
            t += timedelta(seconds=rng.randint(10, 240))
            noise = rng.random() < NOISE_VIEWS
            item = (
                rng.choices(all_items, cum_weights=all_cum)[0]
                if noise
                else rng.choices(pool, cum_weights=fits)[0]
            )
            viewed.append(item)
            events.append(Event(sid, t.isoformat(), "view", item.item_id, item.product_type))
            if rng.random() < ASK_RATE:
                t += timedelta(seconds=rng.randint(5, 60))
                events.append(Event(sid, t.isoformat(), "ask", item.item_id, item.product_type))
        if rng.random() < CART_RATE:
            best = max(viewed, key=lambda p: (fit(p) * (p.product_type == ptype), p.item_id))
            t += timedelta(seconds=rng.randint(10, 120))
            events.append(Event(sid, t.isoformat(), "add_to_cart", best.item_id, best.product_type))
    events.sort(key=lambda e: (e.ts, e.session_id))
    return events


def dumps(events: Iterable[Event]) -> bytes:
    """Gzipped JSONL with a fixed header (mtime 0): byte-identical for identical events."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as fh:
        for e in events:
            fh.write((json.dumps(e.as_dict(), sort_keys=True) + "\n").encode())
    return buf.getvalue()


def write_events(events: Iterable[Event], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dumps(events))
    return path


def read_events(path: Path) -> list[Event]:
    opener = gzip.open if path.suffix == ".gz" else open
    out = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                d = json.loads(line)
                out.append(Event(**{k: d.get(k) for k in Event.__dataclass_fields__}))
    return out
