"""The rerank blend is picked on one half of the queries and adopted only if it wins on the other."""

from __future__ import annotations

from ml.catalog.product import Product
from ml.evaluation.fusion_tuning import split_of
from ml.evaluation.rerank_tuning import tune
from ml.retrieval.types import Hit


def _hits(ids: list[str]) -> list[Hit]:
    return [
        Hit(item_id=i, rank=n, score=1 / (60 + n), product=Product(item_id=i, title=i))
        for n, i in enumerate(ids, start=1)
    ]


def _qids(count: int) -> list[str]:
    return [f"q{n}" for n in range(count)]


def test_a_blend_is_adopted_when_fusion_knew_better_on_both_halves() -> None:
    # fusion ranks the relevant item first, the cross-encoder puts it second of three
    scored = {q: (_hits(["good", "b", "c"]), [0.5, 0.9, 0.1]) for q in _qids(40)}
    qrels = {q: {"good": 3} for q in scored}
    kinds = dict.fromkeys(scored, "keyword")
    result = tune(scored, qrels, kinds, weights=(0.0, 1.0, 3.0), blend_ks=(5,))
    assert {split_of(q) for q in scored} == {"tune", "check"}
    assert result["best"]["fused_weight"] > 0 and result["adopt"] is True
    assert result["ndcg@10"]["blend_best"]["check"]["all"] > result["ndcg@10"]["rerank_only"]["check"]["all"]


def test_the_cross_encoder_alone_stays_when_it_is_right() -> None:
    # the cross-encoder lifts the relevant item from last to first: any fused weight costs
    scored = {q: (_hits(["a", "b", "good"]), [0.1, 0.2, 0.9]) for q in _qids(40)}
    qrels = {q: {"good": 3} for q in scored}
    result = tune(scored, qrels, dict.fromkeys(scored, "paraphrase"), weights=(0.0, 1.0, 3.0), blend_ks=(5,))
    assert result["best"]["fused_weight"] == 0.0 and result["adopt"] is False
    assert result["ndcg@10"]["rerank_only"]["tune"]["all"] == 1.0
