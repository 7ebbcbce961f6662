"""``evaluate_searcher`` per query kind and per search profile (fast vs quality) on a fake catalog."""

from __future__ import annotations

from ml.evaluation.golden import load_query_kinds
from ml.evaluation.runner import evaluate_searcher
from tests.fakes.catalog import build_test_searcher

from .test_search_profiles import ReverseReranker


def test_metrics_per_kind_and_profile_with_latency(tmp_path) -> None:
    searcher = build_test_searcher()
    searcher.reranker = ReverseReranker()
    searcher.rerank_top_n = 7
    fused = [h.item_id for h in searcher.search("black", k=7).hits]
    queries = {"a": "black", "b": "case for iphone"}
    qrels = {"a": {fused[0]: 3}, "b": {"B0NOPE": 3}}  # b: nothing relevant can be found
    kinds = {"a": "keyword", "b": "identifier"}
    result = evaluate_searcher(searcher, queries, qrels, k=10, kinds=kinds, profiles=("fast", "quality"))
    assert result["modes"]["hybrid"]["ndcg@10"] == result["profiles"]["fast"]["ndcg@10"] == 0.5
    # Reversing the 7 fused hits moves the only relevant one from rank 1 to rank 7.
    assert result["profiles"]["quality"]["mrr@10"] < result["profiles"]["fast"]["mrr@10"] / 2
    assert result["profiles"]["quality"]["degraded"] == {}
    assert set(result["profiles"]["quality"]["latency_ms"]) == {"p50", "p95"}
    assert result["kinds"]["keyword"]["hybrid"]["ndcg@10"] == 1.0
    assert result["kinds"]["identifier"]["quality"]["ndcg@10"] == 0.0
    assert result["kinds"]["keyword"]["queries"] == 1


def test_query_kinds_file(tmp_path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"query_id": "1", "query": "x", "kind": "typo"}\n\n{"query_id": "2", "query": "y"}\n')
    assert load_query_kinds(path) == {"1": "typo", "2": "untagged"}
