"""``shoptalk eval``: fresh embedded indexes from a catalog, every query in every mode."""

from __future__ import annotations

import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any

from ml.benchmarks.stats import percentile
from ml.config import Settings
from ml.embedding.protocol import Embedder
from ml.evaluation.metrics import mrr_at_k, ndcg_at_k, recall_at_k
from ml.ingest.pipeline import IngestReport, ingest_catalog
from ml.retrieval.engine import HybridSearcher
from ml.retrieval.factory import (
    assemble_searcher,
    build_embedder,
    build_keyword_index,
    build_reranker,
    build_vector_index,
)
from ml.retrieval.protocols import Reranker
from ml.retrieval.types import SearchMode

MODES = (SearchMode.keyword, SearchMode.vector, SearchMode.hybrid)
PROFILES = ("fast", "quality")  # fast: hybrid fused; quality: hybrid + cross-encoder rerank of the top N


def _percentile(values: Sequence[float], q: float) -> float:
    """``q`` in 0..1, one decimal, 0.0 for no values (:func:`ml.benchmarks.stats.percentile`)."""
    return round(percentile(values, q * 100), 1) if values else 0.0


def _means(rows: Mapping[str, Mapping[str, float]], qids: list[str]) -> dict[str, float]:
    picked = [rows[q] for q in qids if q in rows]
    if not picked:
        return {}
    return {metric: round(mean(r[metric] for r in picked), 4) for metric in picked[0]}


def evaluate_searcher(
    searcher: HybridSearcher,
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, int]],
    k: int = 10,
    modes: tuple[SearchMode, ...] = MODES,
    kinds: Mapping[str, str] | None = None,
    profiles: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Mean nDCG@k / recall@k / MRR@k per mode (each half and hybrid, fast profile), per search
    profile (hybrid ``fast`` / ``quality``, with latency p50/p95 and degraded counts) and, when
    ``kinds`` maps query ids to kinds, per kind: ``{"kinds": {kind: {mode or profile: {...}}}}``."""
    judged = [qid for qid in queries if qrels.get(qid)]
    result: dict[str, Any] = {"queries": len(judged), "k": k, "modes": {}, "per_query": {}}
    all_rows: dict[str, dict[str, dict[str, float]]] = {}

    Rows = dict[str, dict[str, float]]

    def run(name: str, mode: SearchMode, profile: str) -> tuple[Rows, list[float], Counter[str]]:
        rows: dict[str, dict[str, float]] = {}
        latency: list[float] = []
        degraded: Counter[str] = Counter()
        for qid in judged:
            start = time.perf_counter()
            found = searcher.search(queries[qid], k=k, mode=mode, profile=profile)
            latency.append((time.perf_counter() - start) * 1000)
            degraded.update(found.degraded)
            ranked = [h.item_id for h in found.hits]
            judgments = qrels[qid]
            rows[qid] = {
                f"ndcg@{k}": ndcg_at_k(ranked, judgments, k),
                f"recall@{k}": recall_at_k(ranked, judgments, k),
                f"mrr@{k}": mrr_at_k(ranked, judgments, k),
            }
        all_rows[name] = rows
        return rows, latency, degraded

    metrics = (f"ndcg@{k}", f"recall@{k}", f"mrr@{k}")
    for mode in modes:
        rows, _, _ = run(mode.value, mode, "fast")
        result["modes"][mode.value] = _means(rows, judged) or dict.fromkeys(metrics, 0.0)
        result["per_query"][mode.value] = rows
    if profiles:
        result["profiles"] = {}
        for profile in profiles:
            rows, latency, degraded = run(profile, SearchMode.hybrid, profile)
            result["profiles"][profile] = {
                **(_means(rows, judged) or dict.fromkeys(metrics, 0.0)),
                "latency_ms": {"p50": _percentile(latency, 0.5), "p95": _percentile(latency, 0.95)},
                "degraded": dict(degraded),
            }
            result["per_query"][f"profile:{profile}"] = rows
    if kinds:
        by_kind: dict[str, list[str]] = defaultdict(list)
        for qid in judged:
            by_kind[kinds.get(qid, "untagged")].append(qid)
        result["kinds"] = {
            kind: {name: _means(rows, qids) for name, rows in all_rows.items()} | {"queries": len(qids)}
            for kind, qids in sorted(by_kind.items())
        }
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
    reranker: Reranker | None = None,
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
        searcher = assemble_searcher(settings, keyword, vector, embedder, reranker)
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
    kinds: Mapping[str, str] | None = None,
    profiles: tuple[str, ...] = PROFILES,
    reranker: Reranker | None = None,
) -> dict[str, Any]:
    """Index ``catalog`` into a temporary embedded store; evaluate all three modes, each profile
    (the reranker from settings: ONNX in-process or the KServe service) and each query kind."""
    embedder = embedder or build_embedder(settings)
    if reranker is None and "quality" in profiles:
        reranker = build_reranker(settings)
    with fresh_index(catalog, settings, embedder, progress, reranker=reranker) as fresh:
        result = evaluate_searcher(fresh.searcher, queries, qrels, k=k, kinds=kinds, profiles=profiles)
        report = fresh.report
    result["catalog"] = {"products": report.products, "skipped_lines": len(report.load.skipped)}
    result["model_version"] = embedder.model_version
    return result
