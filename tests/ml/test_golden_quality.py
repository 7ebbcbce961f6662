"""The bar on the committed golden set: hybrid nDCG@10 ≥ the better half alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml.config import Settings
from ml.evaluation.golden import load_qrels, load_queries
from ml.evaluation.runner import run_eval
from ml.paths import GOLDEN_QRELS, GOLDEN_QUERIES, SAMPLE_CATALOG


@pytest.mark.slow
def test_hybrid_beats_each_half_on_golden_set(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    queries, qrels = load_queries(GOLDEN_QUERIES), load_qrels(GOLDEN_QRELS)
    result = run_eval(SAMPLE_CATALOG, queries, qrels, Settings(data_dir=tmp_path), embedder=embedder)
    modes = result["modes"]
    assert result["queries"] >= 50
    assert result["catalog"]["products"] >= 2000
    best_half = max(modes["keyword"]["ndcg@10"], modes["vector"]["ndcg@10"])
    assert modes["hybrid"]["ndcg@10"] >= best_half, modes
    assert modes["hybrid"]["ndcg@10"] > 0.7, modes
