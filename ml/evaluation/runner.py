"""``shoptalk eval``: fresh embedded indexes from a catalog, every query in every mode."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any

from ml.config import Settings
from ml.embedding.protocol import Embedder
from ml.evaluation.metrics import mrr_at_k, ndcg_at_k, recall_at_k
from ml.ingest.pipeline import IngestReport, ingest_catalog
from ml.retrieval.engine import HybridSearcher
from ml.retrieval.factory import build_embedder, build_keyword_index, build_vector_index
from ml.retrieval.types import SearchMode

MODES = (SearchMode.keyword, SearchMode.vector, SearchMode.hybrid)


def evaluate_searcher(
    searcher: HybridSearcher,
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, int]],
    k: int = 10,
    modes: tuple[SearchMode, ...] = MODES,
) -> dict[str, Any]:
    """Mean nDCG@k / recall@k / MRR@k per mode, over queries that have judgments."""
    judged = [qid for qid in queries if qrels.get(qid)]
    result: dict[str, Any] = {"queries": len(judged), "k": k, "modes": {}, "per_query": {}}
    for mode in modes:
        rows: dict[str, dict[str, float]] = {}
        for qid in judged:
            ranked = [h.item_id for h in searcher.search(queries[qid], k=k, mode=mode).hits]
            judgments = qrels[qid]
            rows[qid] = {
                f"ndcg@{k}": ndcg_at_k(ranked, judgments, k),
                f"recall@{k}": recall_at_k(ranked, judgments, k),
                f"mrr@{k}": mrr_at_k(ranked, judgments, k),
            }
        result["modes"][mode.value] = {
            metric: round(mean(r[metric] for r in rows.values()), 4) if rows else 0.0
            for metric in (f"ndcg@{k}", f"recall@{k}", f"mrr@{k}")
        }
        result["per_query"][mode.value] = rows
    return result


@dataclass
class FreshIndex:
    """A searcher over fresh embedded indexes of one catalog, plus how the ingest went."""

    searcher: HybridSearcher
    report: IngestReport
    data_dir: Path


@contextmanager
def fresh_index(
    catalog: str | Path,
    settings: Settings,
    embedder: Embedder | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[FreshIndex]:
    """Index ``catalog`` into temporary embedded indexes (tantivy + Milvus Lite); removed on exit.

    Servers configured in ``settings`` (Elasticsearch, Milvus) are never touched.
    """
    embedder = embedder or build_embedder(settings)
    with tempfile.TemporaryDirectory(prefix="shoptalk-eval-") as tmp:
        local = settings.model_copy(
            update={"data_dir": Path(tmp), "elasticsearch_url": None, "milvus_uri": None}
        )
        keyword = build_keyword_index(local)
        vector = build_vector_index(local, embedder.dim)
        report = ingest_catalog(catalog, embedder, keyword, vector, force=True, progress=progress)
        searcher = HybridSearcher(
            keyword,
            vector,
            embedder,
            rrf_k=settings.rrf_k,
            keyword_weight=settings.keyword_weight,
            vector_weight=settings.vector_weight,
            candidate_pool=settings.candidate_pool,
        )
        try:
            yield FreshIndex(searcher=searcher, report=report, data_dir=Path(tmp))
        finally:
            close = getattr(vector, "close", None)
            if close:
                close()


def run_eval(
    catalog: str | Path,
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, int]],
    settings: Settings,
    embedder: Embedder | None = None,
    k: int = 10,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Index ``catalog`` into a temporary embedded store and evaluate all three modes."""
    embedder = embedder or build_embedder(settings)
    with fresh_index(catalog, settings, embedder, progress) as fresh:
        result = evaluate_searcher(fresh.searcher, queries, qrels, k=k)
        report = fresh.report
    result["catalog"] = {"products": report.products, "skipped_lines": len(report.load.skipped)}
    result["model_version"] = embedder.model_version
    return result
