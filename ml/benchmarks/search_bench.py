"""Core benchmarks: ingest throughput vs bare embedding, and search latency by index size.

Every number that is compared is measured in the same process: ingest products/s against the
bare model's sentences/s on the same document texts (pipeline overhead ratio), torch with 1
and 2 threads, and per-mode search latency at each catalog size.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ml.benchmarks.scaleup import noisy, variants
from ml.benchmarks.stats import machine_info, percentiles_ms, timed
from ml.catalog.document import document_text
from ml.catalog.product import Product
from ml.catalog.reader import read_catalog
from ml.config import Settings
from ml.embedding.sentence import SentenceEmbedder
from ml.ingest.pipeline import ingest_catalog
from ml.retrieval.engine import HybridSearcher, QueryVectorCache
from ml.retrieval.factory import build_keyword_index, build_vector_index
from ml.retrieval.types import SearchMode

Log = Callable[[str], None]
_BASE_VECTORS: dict[tuple[str, str], np.ndarray] = {}  # base embeddings, reused across sizes


def bench_embedding_threads(
    texts: Sequence[str], threads: Sequence[int] = (1, 2), rounds: int = 2
) -> dict[str, Any]:
    """Bare model sentences/s with each torch thread count (best of ``rounds``)."""
    import torch

    out: dict[str, Any] = {}
    embedder = SentenceEmbedder(threads=1)
    embedder.embed(["warm up"])
    for n in threads:
        torch.set_num_threads(n)
        best = min(timed(lambda: embedder.embed(texts))[0] for _ in range(rounds))
        out[f"threads_{n}"] = {"sentences_per_s": round(len(texts) / best, 1), "seconds": round(best, 3)}
    torch.set_num_threads(1)
    base = out["threads_1"]["sentences_per_s"]
    for value in out.values():
        value["ratio_vs_1_thread"] = round(value["sentences_per_s"] / base, 3)
    return out


def bench_ingest(catalog: str | Path, settings: Settings, log: Log) -> dict[str, Any]:
    """End-to-end ingest products/s vs the bare model on the same texts, same process."""
    embedder = SentenceEmbedder(threads=settings.torch_threads, batch_size=settings.embed_batch_size)
    products = read_catalog(catalog).products
    texts = [document_text(p) for p in products]
    embedder.embed(texts[:32])  # load + warm up
    log(f"bare embedding of {len(texts)} documents")
    bare_s, _ = timed(lambda: embedder.embed(texts))
    with tempfile.TemporaryDirectory(prefix="shoptalk-bench-") as tmp:
        local = settings.model_copy(
            update={"data_dir": Path(tmp), "elasticsearch_url": None, "milvus_uri": None}
        )
        keyword = build_keyword_index(local)
        vector = build_vector_index(local, embedder.dim)
        log("end-to-end ingest (read → documents → embed → upsert both indexes)")
        report = ingest_catalog(catalog, embedder, keyword, vector, force=True, batch_size=128)
        vector.close()  # type: ignore[attr-defined]
    bare_rate = len(texts) / bare_s
    ingest_rate = report.embedded / report.seconds
    return {
        "products": report.products,
        "bare_embedding_per_s": round(bare_rate, 1),
        "ingest_products_per_s": round(ingest_rate, 1),
        "ingest_vs_bare_ratio": round(ingest_rate / bare_rate, 3),
        "ingest_seconds": round(report.seconds, 2),
        "stages": [s.as_dict() for s in report.stages],
    }


def _build_scaled(
    base: Sequence[Product], base_vectors: np.ndarray, size: int, keyword: Any, vector: Any, version: str
) -> float:
    """Upsert ``size`` products (originals + variants) into both indexes; returns seconds."""
    rng = np.random.default_rng(size)
    start = time.perf_counter()
    pairs = list(variants(base, size))
    chunk = 2000
    for offset in range(0, len(pairs), chunk):
        part = pairs[offset : offset + chunk]
        products = [p.model_copy(update={"embedding_model": version}) for _, p in part]
        vecs = base_vectors[np.array([b for b, _ in part])]
        is_variant = (np.arange(offset, offset + len(part)) >= len(base))[:, None]
        vecs = np.where(is_variant, noisy(vecs, 0.02, rng), vecs)
        vector.upsert(products, vecs)
        keyword.upsert(products)
    return time.perf_counter() - start


def bench_latency(
    catalog: str | Path,
    queries: Sequence[str],
    sizes: Sequence[int],
    settings: Settings,
    log: Log,
    k: int = 10,
    repeats: int = 3,
) -> dict[str, Any]:
    embedder = SentenceEmbedder(threads=settings.torch_threads, batch_size=settings.embed_batch_size)
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
            keyword = build_keyword_index(local)
            vector = build_vector_index(local, embedder.dim)
            log(f"building {size:,}-product indexes")
            build_s = _build_scaled(base, base_vectors, size, keyword, vector, embedder.model_version)
            searcher = HybridSearcher(keyword, vector, embedder, candidate_pool=settings.candidate_pool)
            searcher.cache = QueryVectorCache(size=1)  # measure real query embedding, not the cache
            for q in queries[:5]:
                searcher.search(q, k=k)  # warm up
            per_mode: dict[str, Any] = {}
            for mode in SearchMode:
                samples = []
                for _ in range(repeats):
                    for q in queries:
                        start = time.perf_counter()
                        searcher.search(q, k=k, mode=mode)
                        samples.append(time.perf_counter() - start)
                per_mode[mode.value] = percentiles_ms(samples)
            base_p50 = per_mode["keyword"]["p50_ms"] or 1.0
            for stats in per_mode.values():
                stats["p50_vs_keyword"] = round(stats["p50_ms"] / base_p50, 2)
            results[str(size)] = {
                "products": keyword.count(),
                "build_seconds": round(build_s, 1),
                "modes": per_mode,
            }
            vector.close()  # type: ignore[attr-defined]
    return results


def run(
    catalog: str | Path,
    queries: Sequence[str],
    sizes: Sequence[int],
    settings: Settings,
    log: Log,
    checkpoint: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """All core suites; ``checkpoint`` receives the partial result after each one."""
    result: dict[str, Any] = {"machine": machine_info()}
    products = read_catalog(catalog).products
    texts = [document_text(p) for p in products][:512]
    log("torch threads: 1 vs 2")
    result["embedding_threads"] = bench_embedding_threads(texts)
    if checkpoint:
        checkpoint(result)
    result["ingest"] = bench_ingest(catalog, settings, log)
    if checkpoint:
        checkpoint(result)
    result["search_latency"] = {}
    for size in sizes:
        result["search_latency"].update(bench_latency(catalog, queries, [size], settings, log))
        if checkpoint:
            checkpoint(result)
    return result
