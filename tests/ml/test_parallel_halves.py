"""Hybrid search runs its halves concurrently: a slow half's latency dominates, not the sum."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pytest

from ml.catalog.document import document_text
from ml.retrieval.engine import HybridSearcher
from ml.retrieval.types import IndexHit, SearchFilters, SearchMode
from tests.fakes.catalog import HashingEmbedder, InMemoryKeywordIndex, InMemoryVectorIndex, sample_products


class SlowKeyword(InMemoryKeywordIndex):
    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    def search(self, query: str, k: int, filters: SearchFilters | None = None) -> list[IndexHit]:
        time.sleep(self.delay)
        return super().search(query, k, filters)


class SlowVector(InMemoryVectorIndex):
    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    def search(self, vector: np.ndarray, k: int, filters: SearchFilters | None = None) -> list[IndexHit]:
        time.sleep(self.delay)
        return super().search(vector, k, filters)


class SlowEmbedder(HashingEmbedder):
    def __init__(self, delay: float) -> None:
        self.delay = delay

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        time.sleep(self.delay)
        return super().embed(texts)


def searcher(kw_s: float, vec_s: float, embed_s: float, parallel: bool = True) -> HybridSearcher:
    products = sample_products()
    embedder = SlowEmbedder(0.0)
    keyword, vector = SlowKeyword(kw_s), SlowVector(vec_s)
    keyword.upsert(products)
    vector.upsert(products, embedder.embed([document_text(p) for p in products]))
    embedder.delay = embed_s
    out = HybridSearcher(keyword, vector, embedder, candidate_pool=10, parallel=parallel)
    out.cache.size = 0  # every query is embedded
    return out


def timed_search(s: HybridSearcher, query: str, **kw: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = s.search(query, k=5, **kw)  # type: ignore[arg-type]
    return time.perf_counter() - start, result


@pytest.mark.parametrize(("kw_s", "vec_s", "embed_s"), [(0.4, 0.1, 0.1), (0.1, 0.3, 0.1), (0.3, 0.1, 0.3)])
def test_hybrid_latency_is_the_slower_half_not_the_sum(kw_s: float, vec_s: float, embed_s: float) -> None:
    slower = max(kw_s, vec_s + embed_s)
    total = kw_s + vec_s + embed_s
    elapsed, result = timed_search(searcher(kw_s, vec_s, embed_s), "running shoes")
    assert result.mode is SearchMode.hybrid and not result.degraded  # type: ignore[attr-defined]
    assert slower * 0.95 <= elapsed < slower + 0.5 * (total - slower), (elapsed, slower, total)
    timings = result.timings_ms  # type: ignore[attr-defined]
    assert {"keyword", "embed_query", "vector", "fusion"} <= set(timings)
    assert timings["keyword"] >= kw_s * 1000 * 0.95 and timings["embed_query"] >= embed_s * 1000 * 0.95


def test_sequential_mode_still_adds_up() -> None:
    elapsed, result = timed_search(searcher(0.2, 0.1, 0.1, parallel=False), "running shoes")
    assert elapsed >= 0.38 and result.mode is SearchMode.hybrid  # type: ignore[attr-defined]


def test_parallel_keeps_degraded_semantics_and_order() -> None:
    s = searcher(0.05, 0.05, 0.0)
    s.keyword.down = True  # type: ignore[union-attr]
    result = s.search("running shoes", k=5)
    assert result.mode is SearchMode.vector and result.degraded == ["keyword-index-unavailable"]
    s.vector.down = True  # type: ignore[union-attr]
    result = s.search("running shoes", k=5)
    assert result.hits == []
    assert result.degraded == ["keyword-index-unavailable", "vector-index-unavailable", "no-search-backend"]
    s.keyword.down = False  # type: ignore[union-attr]
    result = s.search("running shoes", k=5)
    assert result.mode is SearchMode.keyword and result.degraded == ["vector-index-unavailable"]


def test_keyword_span_stays_a_child_of_the_search_span() -> None:
    sdk = pytest.importorskip("opentelemetry.sdk.trace")
    export = pytest.importorskip("opentelemetry.sdk.trace.export")
    memory = pytest.importorskip("opentelemetry.sdk.trace.export.in_memory_span_exporter")
    exporter = memory.InMemorySpanExporter()
    provider = sdk.TracerProvider()
    provider.add_span_processor(export.SimpleSpanProcessor(exporter))
    import ml.retrieval.engine as engine

    original = engine.tracer
    engine.tracer = provider.get_tracer("test")
    try:
        searcher(0.01, 0.01, 0.0).search("running shoes", k=3)
    finally:
        engine.tracer = original
    spans = {span.name: span for span in exporter.get_finished_spans()}
    root = spans["search"]
    for name in ("search.keyword", "search.vector", "search.embed_query"):
        assert spans[name].parent is not None and spans[name].parent.span_id == root.context.span_id, name
