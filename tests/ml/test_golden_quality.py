"""The bar on the committed golden set: hybrid nDCG@10 ≥ the better half alone."""

from __future__ import annotations

import pytest

from ml.evaluation.golden import load_qrels, load_queries
from ml.evaluation.runner import evaluate_searcher
from ml.paths import GOLDEN_QRELS, GOLDEN_QUERIES


@pytest.mark.slow
def test_hybrid_beats_each_half_on_golden_set(sample_index) -> None:  # type: ignore[no-untyped-def]
    queries, qrels = load_queries(GOLDEN_QUERIES), load_qrels(GOLDEN_QRELS)
    result = evaluate_searcher(sample_index.searcher, queries, qrels, k=10)
    modes = result["modes"]
    assert result["queries"] >= 50
    assert sample_index.report.products >= 2000 and sample_index.report.vector_count >= 2000
    best_half = max(modes["keyword"]["ndcg@10"], modes["vector"]["ndcg@10"])
    assert modes["hybrid"]["ndcg@10"] >= best_half, modes
    assert modes["hybrid"]["ndcg@10"] > 0.7, modes
