"""The "for you" ranker: LightGBM (lambdarank) over (session history, candidate) features.

Candidates come from similar items of the history and from similar sessions; the features
describe how a candidate relates to what the session looked at (vector similarity, type share,
price ratio, colour overlap), how popular it is in the interaction logs, and which generator
proposed it. The same :func:`features` serves training and the gateway, so the model sees the
same inputs in both. A saved model is a folder: ``model.txt`` (LightGBM) + ``stats.json``
(popularity tables from the training logs) + ``meta.json``.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ml.catalog.product import Product

FEATURES = (
    "cos_mean",
    "cos_max",
    "cos_last",
    "type_share",
    "type_is_last",
    "log_pop",
    "log_type_pop",
    "pop_in_type",
    "price_ratio",
    "colour_share",
    "session_score",
    "from_similar",
    "from_sessions",
    "from_popular",
    "history_len",
)


@dataclass
class PopularityStats:
    """Interaction counts from the training logs (views 1, asks 1, add-to-cart 3)."""

    item: dict[str, float] = field(default_factory=dict)
    type_total: dict[str, float] = field(default_factory=dict)
    item_type: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_interactions(cls, interactions: Sequence[tuple[str, str, float]]) -> PopularityStats:
        """``(item_id, product_type, weight)`` triples."""
        item: dict[str, float] = defaultdict(float)
        typ: dict[str, float] = defaultdict(float)
        item_type: dict[str, str] = {}
        for item_id, ptype, w in interactions:
            item[item_id] += w
            typ[ptype] += w
            item_type[item_id] = ptype
        return cls(dict(item), dict(typ), item_type)

    def top(self, k: int, exclude: set[str] | None = None, product_type: str | None = None) -> list[str]:
        exclude = exclude or set()
        ranked = sorted(self.item.items(), key=lambda kv: (-kv[1], kv[0]))
        out = []
        for item_id, _ in ranked:
            if item_id in exclude or (product_type and self.item_type.get(item_id) != product_type):
                continue
            out.append(item_id)
            if len(out) == k:
                break
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item, "type_total": self.type_total, "item_type": self.item_type}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PopularityStats:
        return cls(dict(d["item"]), dict(d["type_total"]), dict(d["item_type"]))


@dataclass
class Candidate:
    product: Product
    vector: np.ndarray
    sources: set[str] = field(default_factory=set)
    session_score: float = 0.0


def features(
    history: Sequence[Product], history_vecs: np.ndarray, cand: Candidate, stats: PopularityStats
) -> list[float]:
    p = cand.product
    sims = history_vecs @ cand.vector if len(history) else np.zeros(1)
    mean = history_vecs.mean(axis=0) if len(history) else np.zeros_like(cand.vector)
    norm = float(np.linalg.norm(mean)) or 1.0
    types = Counter(h.product_type for h in history)
    prices = [h.price for h in history if h.price > 0]
    mean_price = sum(prices) / len(prices) if prices else 0.0
    colours = [bool(set(h.colors) & set(p.colors)) for h in history]
    pop = stats.item.get(p.item_id, 0.0)
    type_pop = stats.type_total.get(p.product_type, 0.0)
    return [
        float(mean @ cand.vector) / norm,
        float(sims.max()),
        float(sims[-1]),
        types[p.product_type] / max(1, len(history)),
        1.0 if history and history[-1].product_type == p.product_type else 0.0,
        math.log1p(pop),
        math.log1p(type_pop),
        pop / type_pop if type_pop else 0.0,
        abs(math.log((p.price + 1) / (mean_price + 1))) if mean_price else 0.0,
        sum(colours) / max(1, len(colours)),
        cand.session_score,
        1.0 if "similar" in cand.sources else 0.0,
        1.0 if "sessions" in cand.sources else 0.0,
        1.0 if "popular" in cand.sources else 0.0,
        float(len(history)),
    ]


class RankerModel:
    def __init__(self, booster: Any, stats: PopularityStats, meta: dict[str, Any]) -> None:
        self.booster = booster
        self.stats = stats
        self.meta = meta

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "unregistered"))

    def score(self, rows: Sequence[Sequence[float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        return np.asarray(self.booster.predict(np.asarray(rows, dtype=np.float64)), dtype=np.float64)

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(folder / "model.txt"))
        (folder / "stats.json").write_text(json.dumps(self.stats.to_dict()))
        (folder / "meta.json").write_text(json.dumps(self.meta, indent=2, sort_keys=True))
        return folder

    @classmethod
    def load(cls, folder: Path) -> RankerModel:
        import lightgbm as lgb

        booster = lgb.Booster(model_file=str(folder / "model.txt"))
        stats = PopularityStats.from_dict(json.loads((folder / "stats.json").read_text()))
        meta = json.loads((folder / "meta.json").read_text())
        return cls(booster, stats, meta)
