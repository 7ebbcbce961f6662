"""The recommendation service behind the gateway routes (no web imports).

``Recommender`` answers three questions over the live indexes:

- ``similar(item_id, k, filters)`` — :mod:`ml.recommend.similar`;
- ``complements(item_id, k)`` — :mod:`ml.recommend.complements`, mined lazily from the indexed
  catalog and re-mined when the catalog version changes;
- ``for_you(history, k)`` — candidates from similar items of the history and from similar
  sessions (:class:`~ml.recommend.session_index.SessionIndex`), ranked by the LightGBM champion.
  An empty history gets popular items (``source="popular"``); a missing or failing model gets
  the similar-items order with ``degraded`` naming why.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ml.catalog.product import Product
from ml.embedding.protocol import Embedder
from ml.logging import get_logger
from ml.recommend.candidates import generate_candidates
from ml.recommend.complements import ComplementMiner, named_devices
from ml.recommend.ranker import PopularityStats, RankerModel, features
from ml.recommend.session_index import SessionIndex
from ml.recommend.similar import Scored, similar
from ml.recommend.variants import collapse_variants
from ml.recommend.vectors import ItemVectors
from ml.retrieval.protocols import VectorIndex
from ml.retrieval.types import SearchFilters

log = get_logger(__name__)
VERSION_TTL_S = 5.0
# The ranker learned from single-need visits; a gateway session that moves on (rugs, then a
# watch) is ranked from its latest items (about one answer's top items and a view), so "for you"
# follows the current interest. Everything the session saw stays excluded.
RECENT_ITEMS = 4


class UnknownItem(LookupError):
    def __init__(self, item_id: str) -> None:
        super().__init__(item_id)
        self.item_id = item_id


@dataclass
class Recommendations:
    items: list[Scored]
    source: str  # ranker | similar | popular
    degraded: list[str] = field(default_factory=list)
    model_version: str | None = None


class _LiveNeighbours:
    """The :class:`~ml.recommend.candidates.Neighbours` seam over the live indexes."""

    def __init__(self, rec: Recommender) -> None:
        self.rec = rec

    def similar(self, product: Product, n: int) -> list[tuple[Product, float]]:
        return [(s.product, s.score) for s in similar(product, n, self.rec.index, self.rec.vectors)]

    def sessions(self, vector: np.ndarray, n: int) -> list[tuple[list[str], float]]:
        if self.rec.sessions is None:
            return []
        try:
            return self.rec.sessions.search(vector, n)
        except Exception:
            log.warning("recommend.sessions_unavailable", exc_info=True)
            return []

    def products(self, ids: Sequence[str]) -> dict[str, Product]:
        return self.rec.index.get(list(ids)) if ids else {}

    def vectors(self, products: Sequence[Product]) -> np.ndarray:
        return self.rec.vectors.of(products)


def _fits_devices(product: Product, devices: set[str]) -> bool:
    """Made for one of the session's devices, or for none named (an iPhone 12 case is no pick
    for someone shopping for the iPhone 13)."""
    named = named_devices(product)
    return not devices or not named or bool(named & devices)


class Recommender:
    def __init__(
        self,
        index: VectorIndex,
        embedder: Embedder,
        model: RankerModel | None = None,
        sessions: SessionIndex | None = None,
        popularity: PopularityStats | None = None,
        version_hint: Callable[[], str] | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.vectors = ItemVectors(embedder, index)
        self.model = model
        self.sessions = sessions
        self.popularity = popularity or (model.stats if model else PopularityStats())
        self.version_hint = version_hint
        self._miner: ComplementMiner | None = None
        self._miner_version: str | None = None
        self._version: tuple[float, str] | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ catalog version
    def catalog_version(self) -> str:
        """Changes when the catalog is re-ingested (count, latest ingest run, embedder)."""
        now = time.monotonic()
        if self._version and now - self._version[0] < VERSION_TTL_S:
            return self._version[1]
        hint = ""
        if self.version_hint is not None:
            try:
                hint = self.version_hint()
            except Exception:
                hint = ""
        version = f"{self.index.count()}:{hint}:{self.embedder.model_version}"
        self._version = (now, version)
        return version

    def invalidate(self) -> None:
        self._version = None

    def product(self, item_id: str) -> Product:
        found = self.index.get([item_id]).get(item_id)
        if found is None:
            raise UnknownItem(item_id)
        return found

    # ------------------------------------------------------------------ similar / complements
    def similar(self, item_id: str, k: int = 10, filters: SearchFilters | None = None) -> list[Scored]:
        return similar(self.product(item_id), k, self.index, self.vectors, filters)

    def miner(self) -> ComplementMiner:
        version = self.catalog_version()
        with self._lock:
            if self._miner is None or self._miner_version != version:
                products = list(self.index.get(sorted(self.index.ids())).values())
                self._miner = ComplementMiner.from_products(products)
                self._miner_version = version
            return self._miner

    def complements(self, item_id: str, k: int = 10) -> list[Scored]:
        self.product(item_id)
        return [Scored(p, s, "complement") for p, s in self.miner().complements(item_id, k)]

    # ------------------------------------------------------------------ for you
    def popular(self, k: int, exclude: set[str] | None = None) -> list[Scored]:
        ids = self.popularity.top(k * 2, exclude)
        found = self.index.get(ids) if ids else {}
        ranked = [found[i] for i in ids if i in found]
        return [
            Scored(p, float(self.popularity.item.get(p.item_id, 0.0)), "popular")
            for p in collapse_variants(ranked)[:k]
        ]

    def for_you(self, history_ids: Sequence[str], k: int = 10) -> Recommendations:
        known = self.index.get(list(dict.fromkeys(history_ids))) if history_ids else {}
        history = [known[i] for i in dict.fromkeys(history_ids) if i in known]
        version = self.model.version if self.model else None
        if not history:
            items = self.popular(k)
            degraded = [] if items else ["no-interaction-data"]
            return Recommendations(items, "popular", degraded, version)
        if self.model is None:
            return self._similar_fallback(history, k, "recommender-model-missing")
        recent = history[-RECENT_ITEMS:]
        seen = {p.item_id for p in history}
        devices = set().union(*(named_devices(p) for p in recent))
        try:
            neighbours = _LiveNeighbours(self)
            cands = [
                c
                for c in generate_candidates(recent, neighbours, self.popularity)
                if c.product.item_id not in seen and _fits_devices(c.product, devices)
            ]
            hv = self.vectors.of(recent)
            scores = self.model.score([features(recent, hv, c, self.popularity) for c in cands])
        except Exception as exc:
            log.warning("recommend.ranker_failed", error=str(exc)[:200])
            return self._similar_fallback(history, k, "recommender-model-failed")
        order = np.argsort(-scores, kind="stable")
        ranked = [cands[j] for j in order]
        by_id = {c.product.item_id: (float(scores[j]), c) for j, c in enumerate(cands)}
        kept = collapse_variants([c.product for c in ranked], seen=history)[:k]
        items = [Scored(p, by_id[p.item_id][0], "+".join(sorted(by_id[p.item_id][1].sources))) for p in kept]
        return Recommendations(items, "ranker", [], version)

    def _similar_fallback(self, history: list[Product], k: int, reason: str) -> Recommendations:
        scored: dict[str, Scored] = {}
        weights: dict[str, float] = defaultdict(float)
        for rank, seed in enumerate(reversed(history[-3:])):
            for s in similar(seed, k, self.index, self.vectors):
                weights[s.product.item_id] += s.score / (1 + rank)
                scored.setdefault(s.product.item_id, s)
        ordered = [scored[i] for i, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))]
        kept = collapse_variants([s.product for s in ordered], seen=history)[:k]
        items = [Scored(p, round(weights[p.item_id], 4), "similar") for p in kept]
        return Recommendations(items, "similar", [reason], None)
