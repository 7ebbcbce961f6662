"""Core benchmarks: embedding throughput, ingest vs bare embedding, search latency by size.

Every number that is compared is measured in the same process, and each comparison is printed
as a ratio against its baseline: embedding docs/s per precision (fp32, and bf16 where the CPU
has it) and torch thread count (1 and 2) against fp32 on 1 thread; end-to-end ingest
products/s against the bare model on the same texts; per catalog size, every search mode
against keyword p50, hybrid p95 against the slower half's p95, and parallel hybrid against
sequential hybrid (``HybridSearcher(parallel=False)``).

Catalog sizes above ``keyword_max`` are measured vector-only: the variants are the sample's
products with new ids, so the keyword build (tantivy over 1M near-duplicate documents) would
dominate the run while telling nothing new; the vector index is the part that scales.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from ml.benchmarks.scaleup import noisy, variants
from ml.benchmarks.stats import load_average, machine_info, percentiles_ms, timed
from ml.catalog.document import document_text
from ml.catalog.product import Product
from ml.catalog.reader import read_catalog
from ml.config import Settings
from ml.embedding.precision import cpu_has_bf16
from ml.embedding.sentence import SentenceEmbedder
from ml.ingest.pipeline import ingest_catalog
from ml.retrieval.engine import HybridSearcher, QueryVectorCache
from ml.retrieval.factory import build_keyword_index, build_vector_index
from ml.retrieval.types import SearchMode

Log = Callable[[str], None]
KEYWORD_MAX = 100_000
_BASE_VECTORS: dict[tuple[str, str], np.ndarray] = {}  # base embeddings, reused across sizes


def _embedder(settings: Settings) -> SentenceEmbedder:
    return SentenceEmbedder(
        threads=settings.torch_threads,
        batch_size=settings.embed_batch_size,
        precision=settings.embed_precision,
    )


def bench_embedding(texts: Sequence[str], threads: Sequence[int] = (1, 2), rounds: int = 2) -> dict[str, Any]:
    """Bare model docs/s per precision and torch thread count (best of ``rounds``)."""
    import torch

    precisions = ["fp32", "bf16"] if cpu_has_bf16() else ["fp32"]
    out: dict[str, Any] = {}
    reference: np.ndarray | None = None
    for precision in precisions:
        embedder = SentenceEmbedder(threads=1, precision=precision)
        embedder.embed(["warm up"])
        for n in sorted({1, *threads}):  # fp32 on 1 thread is the baseline of every ratio
            torch.set_num_threads(n)
            best = min(timed(lambda: embedder.embed_base(texts))[0] for _ in range(rounds))  # noqa: B023
            out[f"{precision}_threads_{n}"] = {
                "precision": precision,
                "threads": n,
                "docs_per_s": round(len(texts) / best, 1),
                "seconds": round(best, 3),
            }
        torch.set_num_threads(1)
        vectors = embedder.embed_base(texts)
        if reference is None:
            reference = vectors
        else:
            out[f"{precision}_cosine_to_fp32_min"] = round(float((vectors * reference).sum(axis=1).min()), 6)
    base = out["fp32_threads_1"]["docs_per_s"]
    for row in out.values():
        if isinstance(row, dict):
            row["ratio_vs_fp32_1_thread"] = round(row["docs_per_s"] / base, 3)
    return out


def _ingest_once(
    catalog: str | Path, embedder: SentenceEmbedder, settings: Settings, overlap: bool, limit: int | None
) -> Any:
    with tempfile.TemporaryDirectory(prefix="shoptalk-bench-") as tmp:
        local = settings.model_copy(
            update={"data_dir": Path(tmp), "elasticsearch_url": None, "milvus_uri": None}
        )
        keyword = build_keyword_index(local)
        vector = build_vector_index(local, embedder.dim)
        try:
            return ingest_catalog(
                catalog, embedder, keyword, vector, force=True, batch_size=128, overlap=overlap, limit=limit
            )
        finally:
            vector.close()  # type: ignore[attr-defined]


def bench_ingest(
    catalog: str | Path,
    settings: Settings,
    log: Log,
    threads: Sequence[int] = (1, 2),
    limit: int | None = None,
) -> dict[str, Any]:
    """End-to-end ingest products/s vs the bare model on the same texts, per torch thread count.

    Same process, same embedder. At the configured thread count the bare model is timed before
    and after the ingest runs (their mean is the baseline), and ingest is also run with the
    writes not overlapped (``overlap=False``) for the A/B of the producer/consumer loop.
    """
    import torch

    embedder = _embedder(settings)
    products = read_catalog(catalog, limit=limit).products
    texts = [document_text(p) for p in products]
    embedder.embed(texts[:32])  # load + warm up
    default = settings.torch_threads
    per_threads: dict[str, Any] = {}
    for n in sorted(set(threads) | {default}, key=lambda t: t != default):
        torch.set_num_threads(n)
        log(f"bare embedding of {len(texts)} documents ({embedder.precision}, {n} torch threads)")
        bare = [timed(lambda: embedder.embed(texts))[0]]
        log(f"end-to-end ingest, {n} torch threads (read → documents → embed ∥ upsert both indexes)")
        report = _ingest_once(catalog, embedder, settings, overlap=True, limit=limit)
        row: dict[str, Any] = {"torch_threads": n}
        if n == default:
            log("end-to-end ingest with the writes not overlapped (A/B)")
            sequential = _ingest_once(catalog, embedder, settings, overlap=False, limit=limit)
            row["sequential_ingest_products_per_s"] = round(sequential.embedded / sequential.seconds, 1)
            row["sequential_index_timings"] = sequential.index_timings
            bare.append(timed(lambda: embedder.embed(texts))[0])
        bare_rate = len(texts) / (sum(bare) / len(bare))
        ingest_rate = report.embedded / report.seconds
        row.update(
            {
                "bare_embedding_per_s": round(bare_rate, 1),
                "bare_runs_s": [round(b, 2) for b in bare],
                "ingest_products_per_s": round(ingest_rate, 1),
                "ingest_vs_bare_ratio": round(ingest_rate / bare_rate, 3),
                "ingest_seconds": round(report.seconds, 2),
                "index_timings": report.index_timings,
                "stages": [s.as_dict() for s in report.stages],
            }
        )
        if "sequential_ingest_products_per_s" in row:
            row["overlap_vs_sequential_ratio"] = round(
                ingest_rate / row["sequential_ingest_products_per_s"], 3
            )
        per_threads[f"threads_{n}"] = row
    torch.set_num_threads(default)
    best = max(per_threads.values(), key=lambda r: r["ingest_products_per_s"])
    return {
        "products": len(products),
        "precision": embedder.precision,
        **per_threads[f"threads_{default}"],
        "fastest_torch_threads": best["torch_threads"],
        "by_threads": per_threads,
    }


def _build_scaled(
    base: Sequence[Product],
    base_vectors: np.ndarray,
    size: int,
    keyword: Any | None,
    vector: Any,
    version: str,
    lean: bool = False,
) -> float:
    """Upsert ``size`` products (originals + variants) into the indexes; returns seconds.

    ``lean`` variants (vector-only sizes) drop bullets and description from the stored record,
    so a million rows fit the embedded engine's memory and load in minutes; the search itself
    (vectors, index, the 50 records it returns) is the same.
    """
    rng = np.random.default_rng(size)
    start = time.perf_counter()
    pairs = variants(base, size)
    chunk = 2000
    offset = 0
    while True:
        part = [pair for _, pair in zip(range(chunk), pairs, strict=False)]
        if not part:
            break
        lean_fields: dict[str, Any] = {"bullets": [], "description": None} if lean else {}
        products = [
            p.model_copy(update={"embedding_model": version, **(lean_fields if i >= len(base) else {})})
            for i, (_, p) in enumerate(part, start=offset)
        ]
        vecs = base_vectors[np.array([b for b, _ in part])]
        is_variant = (np.arange(offset, offset + len(part)) >= len(base))[:, None]
        vecs = np.where(is_variant, noisy(vecs, 0.02, rng), vecs)
        vector.upsert(products, vecs)
        if keyword is not None:
            keyword.upsert(products)
        offset += len(part)
    return time.perf_counter() - start


def _measure_calls(calls: Sequence[Callable[[], Any]], repeats: int) -> Any:
    samples = []
    for _ in range(repeats):
        for call in calls:
            start = time.perf_counter()
            call()
            samples.append(time.perf_counter() - start)
    return percentiles_ms(samples)


def _measure(searcher: HybridSearcher, queries: Sequence[str], mode: SearchMode, k: int, repeats: int) -> Any:
    samples = []
    for _ in range(repeats):
        for q in queries:
            start = time.perf_counter()
            searcher.search(q, k=k, mode=mode)
            samples.append(time.perf_counter() - start)
    return percentiles_ms(samples)


def bench_latency(
    catalog: str | Path,
    queries: Sequence[str],
    sizes: Sequence[int],
    settings: Settings,
    log: Log,
    k: int = 10,
    repeats: int = 3,
    keyword_max: int = KEYWORD_MAX,
) -> dict[str, Any]:
    embedder = _embedder(settings)
    base = read_catalog(catalog).products
    key = (str(catalog), embedder.model_version)
    if key not in _BASE_VECTORS:
        log(f"embedding {len(base)} base products once")
        _BASE_VECTORS[key] = embedder.embed([document_text(p) for p in base])
    base_vectors = _BASE_VECTORS[key]
    results: dict[str, Any] = {}
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="shoptalk-bench-") as tmp:
            local = settings.model_copy(
                update={"data_dir": Path(tmp), "elasticsearch_url": None, "milvus_uri": None}
            )
            with_keyword = size <= keyword_max
            keyword = build_keyword_index(local) if with_keyword else None
            vector = build_vector_index(local, embedder.dim)
            prepare = getattr(vector, "prepare_for", None)
            plan = prepare(size) if prepare else None  # the index for the final size, built as it fills
            log(f"building {size:,}-product indexes ({'keyword + ' if with_keyword else ''}vector)")
            build_s = _build_scaled(
                base, base_vectors, size, keyword, vector, embedder.model_version, lean=not with_keyword
            )
            searcher = HybridSearcher(keyword, vector, embedder, candidate_pool=settings.candidate_pool)
            searcher.cache = QueryVectorCache(size=1)  # measure real query embedding, not the cache
            modes = list(SearchMode) if with_keyword else [SearchMode.vector]
            for q in queries[:5]:
                searcher.search(q, k=k, mode=modes[-1])  # warm up
            per_mode: dict[str, Any] = {m.value: _measure(searcher, queries, m, k, repeats) for m in modes}
            # The vector half split in two: the index search alone (the query vectors computed
            # beforehand; the same candidate pool a hybrid search asks for) and the query embedding.
            pool = settings.candidate_pool
            query_vectors = embedder.embed(list(queries))
            per_mode["vector_index_only"] = _measure_calls(
                [partial(vector.search, v, pool) for v in query_vectors], repeats
            )
            per_mode["embed_query_only"] = _measure_calls([partial(embedder.embed, [q]) for q in queries], 1)
            if with_keyword:
                searcher.parallel = False
                per_mode["hybrid_sequential"] = _measure(searcher, queries, SearchMode.hybrid, k, repeats)
                searcher.parallel = True
                base_p50 = per_mode["keyword"]["p50_ms"] or 1.0
                for stats in per_mode.values():
                    stats["p50_vs_keyword"] = round(stats["p50_ms"] / base_p50, 2)
            row: dict[str, Any] = {
                "products": vector.count(),
                "keyword_indexed": with_keyword,
                "vector_index": plan.index_type if plan else None,
                "vector_index_params": dict(plan.params) if plan else {},
                "vector_search_params": plan.search_params(settings.candidate_pool)["params"] if plan else {},
                "variant_records": "full" if with_keyword else "lean (no bullets/description)",
                "vector_candidate_pool": settings.candidate_pool,
                "build_seconds": round(build_s, 1),
                "modes": per_mode,
            }
            if with_keyword:
                slower_p95 = max(per_mode["keyword"]["p95_ms"], per_mode["vector"]["p95_ms"]) or 1.0
                row["ratios"] = {
                    "hybrid_p95_vs_slower_half_p95": round(per_mode["hybrid"]["p95_ms"] / slower_p95, 2),
                    "hybrid_parallel_p50_vs_sequential_p50": round(
                        per_mode["hybrid"]["p50_ms"] / (per_mode["hybrid_sequential"]["p50_ms"] or 1.0), 2
                    ),
                }
            results[str(size)] = row
            vector.close()  # type: ignore[attr-defined]
    return results


def run(
    catalog: str | Path,
    queries: Sequence[str],
    sizes: Sequence[int],
    settings: Settings,
    log: Log,
    checkpoint: Callable[[dict[str, Any]], None] | None = None,
    keyword_max: int = KEYWORD_MAX,
    threads: Sequence[int] = (1, 2),
) -> dict[str, Any]:
    """All core suites; ``checkpoint`` receives the partial result after each one."""
    started = time.perf_counter()
    result: dict[str, Any] = {"machine": machine_info()}
    products = read_catalog(catalog).products
    texts = [document_text(p) for p in products][:256]
    log(f"embedding throughput: precision x torch threads {list(threads)}")
    result["embedding"] = bench_embedding(texts, threads=threads)
    if checkpoint:
        checkpoint(result)
    result["ingest"] = bench_ingest(catalog, settings, log, threads=threads)
    if checkpoint:
        checkpoint(result)
    result["search_latency"] = {}
    for size in sizes:
        result["search_latency"].update(
            bench_latency(catalog, queries, [size], settings, log, keyword_max=keyword_max)
        )
        result["machine"]["load_average_after"] = load_average()
        result["seconds"] = round(time.perf_counter() - started, 1)
        if checkpoint:
            checkpoint(result)
    result["machine"]["load_average_after"] = load_average()
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result
