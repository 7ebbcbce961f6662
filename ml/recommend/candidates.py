"""Candidate generation for "for you": similar items of the history, items of similar
sessions, and popular items of the history's types. One function for training (brute-force
neighbours over an in-memory matrix) and serving (the vector index and the Milvus session
collection), through the :class:`Neighbours` seam.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from ml.catalog.product import Product
from ml.recommend.ranker import Candidate, PopularityStats

SIMILAR_PER_ITEM = 15
HISTORY_SEEDS = 3
NEIGHBOUR_SESSIONS = 10
SESSION_ITEMS = 30
POPULAR = 10


class Neighbours(Protocol):
    def similar(self, product: Product, n: int) -> list[tuple[Product, float]]: ...

    def sessions(self, vector: np.ndarray, n: int) -> list[tuple[list[str], float]]: ...

    def products(self, ids: Sequence[str]) -> dict[str, Product]: ...

    def vectors(self, products: Sequence[Product]) -> np.ndarray: ...


def generate_candidates(
    history: Sequence[Product], neighbours: Neighbours, stats: PopularityStats
) -> list[Candidate]:
    seen = {p.item_id for p in history}
    found: dict[str, Candidate] = {}
    pending: dict[str, tuple[set[str], float]] = {}

    def add(item_id: str, source: str, session_score: float = 0.0) -> None:
        if item_id in seen:
            return
        sources, score = pending.get(item_id, (set(), 0.0))
        sources.add(source)
        pending[item_id] = (sources, score + session_score)

    for seed in list(history)[-HISTORY_SEEDS:]:
        for product, _ in neighbours.similar(seed, SIMILAR_PER_ITEM):
            add(product.item_id, "similar")
    if history:
        hv = neighbours.vectors(history)
        mean = hv.mean(axis=0)
        mean = mean / (np.linalg.norm(mean) or 1.0)
        scores: dict[str, float] = defaultdict(float)
        for items, sim in neighbours.sessions(mean, NEIGHBOUR_SESSIONS):
            for item_id in set(items):
                scores[item_id] += sim
        for item_id, score in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:SESSION_ITEMS]:
            add(item_id, "sessions", score)
        for ptype, _ in Counter(p.product_type for p in history).most_common(2):
            for item_id in stats.top(POPULAR, seen, ptype):
                add(item_id, "popular")
    for item_id in stats.top(POPULAR, seen):
        add(item_id, "popular")
    products = neighbours.products(list(pending))
    ordered = [products[i] for i in pending if i in products]
    vecs = neighbours.vectors(ordered) if ordered else np.zeros((0, 1))
    for product, vec in zip(ordered, vecs, strict=True):
        sources, session_score = pending[product.item_id]
        found[product.item_id] = Candidate(product, vec, sources, session_score)
    return list(found.values())


class MatrixNeighbours:
    """Brute-force neighbours over an in-memory vector matrix (training and evaluation)."""

    def __init__(
        self,
        products: Sequence[Product],
        matrix: np.ndarray,
        session_items: Sequence[list[str]] = (),
        session_vecs: np.ndarray | None = None,
    ) -> None:
        self.by_id = {p.item_id: p for p in products}
        self.row = {p.item_id: i for i, p in enumerate(products)}
        self.matrix = matrix
        self.items = list(products)
        self.type_rows: dict[str, np.ndarray] = {}
        for ptype in {p.product_type for p in products}:
            self.type_rows[ptype] = np.array([i for i, p in enumerate(products) if p.product_type == ptype])
        self.session_items = list(session_items)
        self.session_vecs = session_vecs
        self.exclude_session: int | None = None

    def similar(self, product: Product, n: int) -> list[tuple[Product, float]]:
        rows = self.type_rows.get(product.product_type)
        if rows is None or product.item_id not in self.row:
            return []
        sims = self.matrix[rows] @ self.matrix[self.row[product.item_id]]
        order = np.argsort(-sims)[: n + 1]
        return [
            (self.items[rows[j]], float(sims[j]))
            for j in order
            if self.items[rows[j]].item_id != product.item_id
        ][:n]

    def sessions(self, vector: np.ndarray, n: int) -> list[tuple[list[str], float]]:
        if self.session_vecs is None or not len(self.session_items):
            return []
        sims = self.session_vecs @ vector
        if self.exclude_session is not None:
            sims[self.exclude_session] = -np.inf
        order = np.argsort(-sims)[:n]
        return [(self.session_items[j], float(sims[j])) for j in order if np.isfinite(sims[j])]

    def products(self, ids: Sequence[str]) -> dict[str, Product]:
        return {i: self.by_id[i] for i in ids if i in self.by_id}

    def vectors(self, products: Sequence[Product]) -> np.ndarray:
        return self.matrix[[self.row[p.item_id] for p in products]]
