"""Graded evaluation of the reranking stage: hybrid (``fast``) vs hybrid + cross-encoder (``quality``).

:func:`evaluate_profiles` takes an existing :class:`~ml.retrieval.engine.HybridSearcher` and a
:class:`~ml.retrieval.protocols.Reranker`, runs every judged query once in hybrid mode with
enough hits for the largest N, and scores the fused top k against the reranked top k for each N
— the same hits, so the difference is the reranker alone. Per profile: nDCG/recall/MRR@k, the
rerank latency (p50/p95/max) and how often the stage degraded; optionally per query kind.

``python -m ml.evaluation.rerank_eval`` indexes the committed sample into a temporary embedded
store and prints the JSON (``--embedding-model``, ``--top-n 20 30``, ``--threads``).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from statistics import mean
from typing import Any

from ml.benchmarks.stats import load_average, percentile
from ml.evaluation.metrics import mrr_at_k, ndcg_at_k, recall_at_k
from ml.retrieval.engine import HybridSearcher
from ml.retrieval.protocols import Reranker
from ml.retrieval.rerank import rerank_or_fallback
from ml.retrieval.types import SearchMode


def _percentile(values: Sequence[float], q: float) -> float:
    """``q`` in 0..1, one decimal, 0.0 for no values (:func:`ml.benchmarks.stats.percentile`)."""
    return round(percentile(values, q * 100), 1) if values else 0.0


def _scores(ranked: list[str], judgments: Mapping[str, int], k: int) -> dict[str, float]:
    return {
        f"ndcg@{k}": ndcg_at_k(ranked, judgments, k),
        f"recall@{k}": recall_at_k(ranked, judgments, k),
        f"mrr@{k}": mrr_at_k(ranked, judgments, k),
    }


def _means(rows: Mapping[str, Mapping[str, float]], qids: Sequence[str]) -> dict[str, float]:
    picked = [rows[q] for q in qids if q in rows]
    if not picked:
        return {}
    return {metric: round(mean(r[metric] for r in picked), 4) for metric in picked[0]}


def evaluate_profiles(
    searcher: HybridSearcher,
    reranker: Reranker,
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, int]],
    k: int = 10,
    top_ns: Sequence[int] = (20,),
    kinds: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``{"profiles": {"fast": {...}, "quality@20": {..., "latency_ms": {...}}}, "kinds": …}``."""
    judged = [qid for qid in queries if qrels.get(qid)]
    pool = max([k, *top_ns])
    rows: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    latency: dict[str, list[float]] = defaultdict(list)
    degraded: dict[str, Counter[str]] = defaultdict(Counter)
    search_ms: list[float] = []
    for qid in judged:
        start = time.perf_counter()
        fused = searcher.search(queries[qid], k=pool, mode=SearchMode.hybrid).hits
        search_ms.append((time.perf_counter() - start) * 1000)
        rows["fast"][qid] = _scores([h.item_id for h in fused], qrels[qid], k)
        for n in top_ns:
            name = f"quality@{n}"
            outcome = rerank_or_fallback(reranker, queries[qid], fused, n)
            rows[name][qid] = _scores([h.item_id for h in outcome.hits], qrels[qid], k)
            latency[name].append(outcome.elapsed_ms)
            if outcome.degraded:
                degraded[name][outcome.degraded] += 1
    profiles: dict[str, Any] = {
        "fast": {
            **_means(rows["fast"], judged),
            "latency_ms": {"p50": _percentile(search_ms, 0.5), "p95": _percentile(search_ms, 0.95)},
        }
    }
    for n in top_ns:
        name = f"quality@{n}"
        values = latency[name]
        profiles[name] = {
            **_means(rows[name], judged),
            "rerank_latency_ms": {
                "p50": _percentile(values, 0.5),
                "p95": _percentile(values, 0.95),
                "max": round(max(values), 1) if values else 0.0,
            },
            "degraded": dict(degraded[name]),
        }
    result: dict[str, Any] = {
        "queries": len(judged),
        "k": k,
        "reranker": reranker.model_version,
        "profiles": profiles,
        "per_query": {name: dict(r) for name, r in rows.items()},
    }
    if kinds:
        by_kind: dict[str, list[str]] = defaultdict(list)
        for qid in judged:
            by_kind[kinds.get(qid, "unknown")].append(qid)
        result["kinds"] = {
            kind: {name: _means(r, qids) for name, r in rows.items()} | {"queries": len(qids)}
            for kind, qids in sorted(by_kind.items())
        }
    return result


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - a measurement entry point
    from ml.config import Settings
    from ml.embedding.choice import build_local_embedder
    from ml.evaluation.golden import load_qrels, load_queries, load_query_kinds
    from ml.evaluation.runner import evaluate_searcher
    from ml.ingest.pipeline import ingest_catalog
    from ml.paths import GOLDEN_QRELS, GOLDEN_QUERIES, SAMPLE_CATALOG
    from ml.retrieval.factory import build_keyword_index, build_vector_index
    from ml.retrieval.rerank import CrossEncoderReranker

    parser = argparse.ArgumentParser(prog="python -m ml.evaluation.rerank_eval")
    parser.add_argument("--embedding-model", default="minilm")
    parser.add_argument("--models-dir", type=Path, default=Path("data/models"))
    parser.add_argument("--top-n", type=int, nargs="*", default=[20, 30], help="none: hybrid only")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-tokens", type=int, nargs="+", default=[128], help="one result per cap")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    queries, qrels = load_queries(GOLDEN_QUERIES), load_qrels(GOLDEN_QRELS)
    kinds = load_query_kinds(GOLDEN_QUERIES)
    with tempfile.TemporaryDirectory(prefix="shoptalk-rerank-eval-") as tmp:
        settings = Settings(
            data_dir=Path(tmp), embedding_model=args.embedding_model, models_dir=args.models_dir
        )
        embedder = build_local_embedder(settings)
        keyword, vector = build_keyword_index(settings), build_vector_index(settings, embedder.dim)
        started = time.perf_counter()
        ingest_catalog(SAMPLE_CATALOG, embedder, keyword, vector, force=True)
        ingest_s = time.perf_counter() - started
        searcher = HybridSearcher(keyword, vector, embedder)
        by_cap: dict[int, dict[str, Any]] = {}
        for cap in args.max_tokens:
            reranker = CrossEncoderReranker(
                threads=args.threads, max_tokens=cap, budget_ms=None, models_dir=args.models_dir
            ).load()
            by_cap[cap] = evaluate_profiles(
                searcher, reranker, queries, qrels, top_ns=args.top_n, kinds=kinds
            )
            by_cap[cap].pop("per_query")
        result: dict[str, Any] = by_cap[args.max_tokens[0]] if len(by_cap) == 1 else {"max_tokens": by_cap}
        vector_only = evaluate_searcher(searcher, queries, qrels, modes=(SearchMode.vector,))
        result["vector_only"] = vector_only["modes"]["vector"]
        result["embedding_model"] = embedder.model_version
        result["ingest_seconds"] = round(ingest_s, 1)
        result["rerank_threads"] = args.threads
        result["loadavg_after"] = load_average()
        close = getattr(vector, "close", None)
        if close:
            close()
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
