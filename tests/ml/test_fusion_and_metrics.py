from __future__ import annotations

import math

import pytest

from ml.catalog.product import Product
from ml.evaluation.metrics import mrr_at_k, ndcg_at_k, recall_at_k
from ml.retrieval.fusion import reciprocal_rank_fusion, single_half
from ml.retrieval.types import IndexHit, SearchFilters


def hits(*ids: str) -> list[IndexHit]:
    return [
        IndexHit(item_id=i, rank=r, score=10.0 - r, product=Product(item_id=i, title=i))
        for r, i in enumerate(ids, start=1)
    ]


def test_rrf_scores_and_reports_each_half() -> None:
    fused = reciprocal_rank_fusion(hits("a", "b", "c"), hits("c", "a", "d"), k=60)
    assert [h.item_id for h in fused] == ["a", "c", "b", "d"]
    a = fused[0]
    assert a.score == pytest.approx(1 / 61 + 1 / 62)
    assert (a.keyword_rank, a.vector_rank) == (1, 2)
    d = fused[-1]
    assert d.keyword_rank is None and d.vector_rank == 3 and d.vector_score == 7.0
    assert [h.rank for h in fused] == [1, 2, 3, 4]


def test_rrf_weights_shift_the_order() -> None:
    kw, vec = hits("a", "b"), hits("b", "a")
    assert reciprocal_rank_fusion(kw, vec, keyword_weight=2.0)[0].item_id == "a"
    assert reciprocal_rank_fusion(kw, vec, vector_weight=2.0)[0].item_id == "b"


def test_rrf_ties_are_deterministic_and_limit_applies() -> None:
    fused = reciprocal_rank_fusion(hits("x", "y"), hits("y", "x"), limit=1)
    assert [h.item_id for h in fused] == ["x"]
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([], [], k=0)


def test_single_half_keeps_rank_and_score() -> None:
    (hit,) = single_half(hits("a"), "vector")
    assert hit.vector_rank == 1 and hit.keyword_rank is None and hit.score == 9.0


def test_ndcg_uses_exponential_gain() -> None:
    judgments = {"a": 3, "b": 1}
    assert ndcg_at_k(["a", "b"], judgments) == pytest.approx(1.0)
    swapped = (1 / math.log2(2) + 7 / math.log2(3)) / (7 + 1 / math.log2(3))
    assert ndcg_at_k(["b", "a"], judgments) == pytest.approx(swapped)
    assert ndcg_at_k(["z"], judgments) == 0.0
    assert ndcg_at_k(["a"], {}) == 0.0


def test_recall_and_mrr() -> None:
    judgments = {"a": 2, "b": 1, "c": 3}
    assert recall_at_k(["x", "a", "c"], judgments, k=10) == pytest.approx(2 / 3)
    assert recall_at_k(["x", "a", "c"], judgments, k=2) == pytest.approx(1 / 3)
    assert mrr_at_k(["x", "y", "b"], judgments) == pytest.approx(1 / 3)
    assert mrr_at_k(["x", "b"], judgments, relevant_grade=2) == 0.0


def test_filters_validate_and_merge() -> None:
    with pytest.raises(ValueError):
        SearchFilters(price_min=10, price_max=5)
    with pytest.raises(ValueError):
        SearchFilters.model_validate({"colour": ["red"]})
    base = SearchFilters(price_max=50, colors=["black"])
    merged = base.merged(SearchFilters(product_types=["SHOES"], price_max=30))
    assert merged.price_max == 30 and merged.colors == ["black"] and merged.product_types == ["SHOES"]
