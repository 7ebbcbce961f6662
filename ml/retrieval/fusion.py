"""Reciprocal-rank fusion, done in the application (Elasticsearch's built-in RRF is licensed).

``score(d) = Σ_h w_h / (k + rank_h(d))`` over the halves ``h`` that returned ``d``; ties are
broken by the best single-half rank, then by item id, so the order is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence

from ml.retrieval.types import Hit, IndexHit

DEFAULT_RRF_K = 60


def reciprocal_rank_fusion(
    keyword: Sequence[IndexHit],
    vector: Sequence[IndexHit],
    k: int = DEFAULT_RRF_K,
    keyword_weight: float = 1.0,
    vector_weight: float = 1.0,
    limit: int | None = None,
) -> list[Hit]:
    if k < 1:
        raise ValueError("rrf k must be >= 1")
    fused: dict[str, Hit] = {}
    for hit in keyword:
        fused[hit.item_id] = Hit(
            item_id=hit.item_id,
            rank=0,
            score=keyword_weight / (k + hit.rank),
            keyword_rank=hit.rank,
            keyword_score=hit.score,
            product=hit.product,
        )
    for hit in vector:
        contribution = vector_weight / (k + hit.rank)
        existing = fused.get(hit.item_id)
        if existing is None:
            fused[hit.item_id] = Hit(
                item_id=hit.item_id,
                rank=0,
                score=contribution,
                vector_rank=hit.rank,
                vector_score=hit.score,
                product=hit.product,
            )
        else:
            existing.score += contribution
            existing.vector_rank = hit.rank
            existing.vector_score = hit.score

    def best_rank(h: Hit) -> int:
        return min(r for r in (h.keyword_rank, h.vector_rank) if r is not None)

    ordered = sorted(fused.values(), key=lambda h: (-h.score, best_rank(h), h.item_id))
    if limit is not None:
        ordered = ordered[:limit]
    for position, fused_hit in enumerate(ordered, start=1):
        fused_hit.rank = position
    return ordered


def single_half(hits: Sequence[IndexHit], half: str, limit: int | None = None) -> list[Hit]:
    """One half's hits as :class:`Hit` (keyword-only or vector-only modes)."""
    keyword = half == "keyword"
    return [
        Hit(
            item_id=hit.item_id,
            rank=hit.rank,
            score=hit.score,
            product=hit.product,
            keyword_rank=hit.rank if keyword else None,
            keyword_score=hit.score if keyword else None,
            vector_rank=None if keyword else hit.rank,
            vector_score=None if keyword else hit.score,
        )
        for hit in (hits[:limit] if limit is not None else hits)
    ]
