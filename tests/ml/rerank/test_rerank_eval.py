"""evaluate_profiles scores the same fused hits with and without the reranker."""

from __future__ import annotations

from collections.abc import Sequence

from ml.catalog.product import Product
from ml.evaluation.rerank_eval import evaluate_profiles
from ml.retrieval.protocols import RerankerTimeout
from ml.retrieval.rerank import apply_scores
from ml.retrieval.types import Hit, SearchMode, SearchResult


class _Searcher:
    """Fused order: the relevant item for each query comes last of five."""

    def search(self, query: str, k: int = 10, mode: SearchMode | str = SearchMode.hybrid) -> SearchResult:
        ids = [f"{query}-junk{i}" for i in range(4)] + [f"{query}-good"]
        hits = [
            Hit(item_id=i, rank=r, score=1 / (60 + r), product=Product(item_id=i, title=i))
            for r, i in enumerate(ids[:k], 1)
        ]
        return SearchResult(query=query, mode=SearchMode.hybrid, requested_mode=SearchMode.hybrid, hits=hits)


class _Reranker:
    model_version = "oracle"

    def rerank(self, query: str, hits: Sequence[Hit], top_n: int) -> list[Hit]:
        if query == "slow":
            raise RerankerTimeout("over budget")
        head = hits[:top_n]
        return apply_scores(hits, [1.0 if h.item_id.endswith("good") else 0.0 for h in head])


def test_quality_profile_is_measured_on_the_same_hits_and_degradations_are_counted() -> None:
    queries = {"q1": "a", "q2": "b", "q3": "slow"}
    qrels = {qid: {f"{q}-good": 3} for qid, q in queries.items()}
    result = evaluate_profiles(
        _Searcher(),  # type: ignore[arg-type]
        _Reranker(),
        queries,
        qrels,
        k=3,
        top_ns=(5, 2),
        kinds={"q1": "keyword", "q2": "paraphrase", "q3": "paraphrase"},
    )
    fast, deep, shallow = (result["profiles"][p] for p in ("fast", "quality@5", "quality@2"))
    assert fast["ndcg@3"] == 0.0  # the good item is 5th: outside the top 3
    assert deep["ndcg@3"] == round(2 / 3, 4)  # reranked first for q1, q2; q3 timed out → fused order
    assert shallow["ndcg@3"] == 0.0  # the good item is outside the top 2 the reranker sees
    assert deep["degraded"] == {"reranker-timeout": 1}
    assert set(deep["rerank_latency_ms"]) == {"p50", "p95", "max"}
    assert result["kinds"]["keyword"]["quality@5"]["ndcg@3"] == 1.0
    assert result["kinds"]["paraphrase"]["queries"] == 2
    assert result["reranker"] == "oracle"
