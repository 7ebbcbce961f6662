"""Hybrid search: keyword ∥ vector → fuse, with each half degrading on its own.

A half that is down (index unreachable, embedder dead) is reported in ``degraded`` and the
other half serves, whatever mode was asked for: a shopper gets products rather than an error.
Every stage is an OpenTelemetry span (no-op unless the process configured a tracer provider)
and is timed into ``SearchResult.timings_ms``.

A hybrid search runs its halves concurrently (``parallel=True``, the default): the keyword
search goes to a small shared thread pool while this thread embeds the query and searches the
vector index, so the latency approaches the slower half instead of the sum. Both halves block
outside the GIL (an HTTP or gRPC call to Elasticsearch / a Milvus server / a KServe embedder,
Milvus Lite's engine process, tantivy's Rust search, torch's kernels), which is why it pays off
for remote halves and measures no worse for the embedded ones (``shoptalk bench search``
records hybrid against ``parallel=False``). Spans, timings and ``degraded`` are as before:
the keyword span runs in a copy of the caller's context, so it stays a child of ``search``.
"""

from __future__ import annotations

import contextvars
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from threading import Lock

import numpy as np
from opentelemetry import trace

from ml.catalog.product import Product
from ml.embedding.protocol import Embedder, EmbedderUnavailable
from ml.logging import get_logger
from ml.retrieval.degradation import record_degraded
from ml.retrieval.fusion import reciprocal_rank_fusion, single_half
from ml.retrieval.fusion_weights import AdaptiveWeights
from ml.retrieval.protocols import IndexUnavailable, KeywordIndex, Reranker, VectorIndex
from ml.retrieval.rerank import rerank_or_fallback
from ml.retrieval.types import Hit, IndexHit, SearchFilters, SearchMode, SearchResult

tracer = trace.get_tracer("shoptalk.retrieval")
log = get_logger(__name__)
MAX_K = 100
HALF_POOL_WORKERS = 8  # concurrent keyword halves across all searchers of the process

_pool: ThreadPoolExecutor | None = None
_pool_lock = Lock()


def half_pool() -> ThreadPoolExecutor:
    """The process-wide pool that runs keyword halves (created on first use)."""
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=HALF_POOL_WORKERS, thread_name_prefix="search-half")
    return _pool


class QueryVectorCache:
    """Small LRU of query embeddings (shoppers repeat queries; follow-ups re-run them)."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple[str, str]) -> np.ndarray | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple[str, str], value: np.ndarray) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class HybridSearcher:
    def __init__(
        self,
        keyword: KeywordIndex | None,
        vector: VectorIndex | None,
        embedder: Embedder | None,
        rrf_k: int = 60,
        keyword_weight: float = 1.0,
        vector_weight: float = 1.0,
        candidate_pool: int = 50,
        parallel: bool = True,
        reranker: Reranker | None = None,
        profile: str = "fast",
        rerank_top_n: int = 20,
        rerank_fused_weight: float = 0.0,
        rerank_blend_k: int = 60,
        fusion_rule: AdaptiveWeights | None = AdaptiveWeights(),
    ) -> None:
        self.keyword = keyword
        self.vector = vector
        self.embedder = embedder
        self.parallel = parallel
        self.rrf_k = rrf_k
        self.keyword_weight = keyword_weight
        self.vector_weight = vector_weight
        self.candidate_pool = candidate_pool
        # Query-aware fusion (ml/retrieval/fusion_weights.py): the keyword half's weight follows
        # how much of the query its best listings state; None: static weights.
        self.fusion_rule = fusion_rule
        self.cache = QueryVectorCache()
        # Search profile (SHOPTALK_SEARCH_PROFILE): "fast" serves the fused order, "quality"
        # reranks the fused top ``rerank_top_n`` with the cross-encoder (bounded by its budget).
        self.reranker = reranker
        self.profile = profile
        self.rerank_top_n = rerank_top_n
        # How much of the fused order the reranked head keeps (ml/retrieval/rerank.blend_with_fused).
        self.rerank_fused_weight = rerank_fused_weight
        self.rerank_blend_k = rerank_blend_k
        # Called with (query, vector) for every embedded query, e.g. the drift query log.
        # A failing listener never fails a search.
        self.query_vector_listener: Callable[[str, np.ndarray], None] | None = None

    @contextmanager
    def _stage(self, name: str, timings: dict[str, float]) -> Iterator[trace.Span]:
        start = time.perf_counter()
        with tracer.start_as_current_span(f"search.{name}") as span:
            try:
                yield span
            finally:
                timings[name] = round((time.perf_counter() - start) * 1000, 3)

    def prime_query_vectors(self, queries: list[str], base_vectors: np.ndarray) -> None:
        """Cache query vectors computed elsewhere from the same base model (one batch with the
        intent model's), so the coming search doesn't embed them again."""
        embedder = self.embedder
        apply = getattr(getattr(embedder, "adapter", None), "apply", None)
        if embedder is None or apply is None:
            return
        for query, vector in zip(queries, apply(np.asarray(base_vectors)), strict=True):
            self.cache.put((embedder.model_version, query), vector)
            if self.query_vector_listener is not None:
                try:
                    self.query_vector_listener(query, vector)
                except Exception:  # observability must never break search
                    log.warning("search.query_vector_listener_failed", exc_info=True)

    def embed_query(self, query: str) -> np.ndarray:
        if self.embedder is None:
            raise EmbedderUnavailable("no embedder configured")
        key = (self.embedder.model_version, query)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        try:
            vector = self.embedder.embed([query])[0]
        except EmbedderUnavailable:
            raise
        except Exception as exc:  # a model or transport failure is an outage, not a crash
            raise EmbedderUnavailable(str(exc)) from exc
        self.cache.put(key, vector)
        if self.query_vector_listener is not None:
            try:
                self.query_vector_listener(query, vector)
            except Exception:  # observability must never break search
                log.warning("search.query_vector_listener_failed", exc_info=True)
        return vector

    def _half(
        self,
        stage: str,
        run: Callable[[], list[IndexHit]],
        timings: dict[str, float],
        degraded: list[str],
    ) -> list[IndexHit] | None:
        """Run one index search as a timed span; an outage is recorded, not raised."""
        with self._stage(stage, timings) as span:
            try:
                hits = run()
            except IndexUnavailable as exc:
                span.record_exception(exc)
                degraded.append(f"{stage}-index-unavailable")
                return None
            span.set_attribute("shoptalk.hits", len(hits))
            return hits

    def _keyword(
        self,
        query: str,
        pool: int,
        filters: SearchFilters | None,
        timings: dict[str, float],
        degraded: list[str],
    ) -> list[IndexHit] | None:
        keyword = self.keyword
        if keyword is None:
            degraded.append("keyword-index-not-configured")
            return None
        return self._half("keyword", lambda: keyword.search(query, pool, filters), timings, degraded)

    def _vector(
        self,
        query: str,
        pool: int,
        filters: SearchFilters | None,
        timings: dict[str, float],
        degraded: list[str],
    ) -> list[IndexHit] | None:
        vector_index = self.vector
        if vector_index is None:
            degraded.append("vector-index-not-configured")
            return None
        if getattr(self, "version_skew", None):  # never mix two embedding spaces (ml/retrieval/model_skew.py)
            degraded.append("embedder-version-mismatch")
            return None
        with self._stage("embed_query", timings) as span:
            try:
                vector = self.embed_query(query)
            except EmbedderUnavailable as exc:
                span.record_exception(exc)
                degraded.append("embedder-unavailable")
                return None
        return self._half("vector", lambda: vector_index.search(vector, pool, filters), timings, degraded)

    def _both(
        self,
        query: str,
        pool: int,
        filters: SearchFilters | None,
        timings: dict[str, float],
        degraded: list[str],
    ) -> tuple[list[IndexHit] | None, list[IndexHit] | None]:
        """Keyword half on the pool, embed + vector half here; ``degraded`` keeps that order."""
        keyword_degraded: list[str] = []
        keyword_timings: dict[str, float] = {}
        context = contextvars.copy_context()  # the current span: keyword stays a child of search
        future = half_pool().submit(
            context.run, self._keyword, query, pool, filters, keyword_timings, keyword_degraded
        )
        vector_degraded: list[str] = []
        try:
            vector_hits = self._vector(query, pool, filters, timings, vector_degraded)
        finally:
            keyword_hits = future.result()
            timings.update(keyword_timings)
            degraded.extend(keyword_degraded + vector_degraded)
        return keyword_hits, vector_hits

    def search(
        self,
        query: str,
        k: int = 10,
        mode: SearchMode | str = SearchMode.hybrid,
        filters: SearchFilters | None = None,
        profile: str | None = None,
    ) -> SearchResult:
        requested = SearchMode(mode)
        k = max(1, min(int(k), MAX_K))
        profile = profile or self.profile
        served_k, k = k, (max(k, self.rerank_top_n) if profile == "quality" else k)
        pool = max(k, self.candidate_pool)
        timings: dict[str, float] = {}
        degraded: list[str] = []
        keyword_hits: list[IndexHit] | None = None
        vector_hits: list[IndexHit] | None = None
        with tracer.start_as_current_span("search") as span:
            span.set_attribute("shoptalk.search.mode", requested.value)
            both = requested is SearchMode.hybrid and self.keyword is not None and self.vector is not None
            if both and self.parallel:
                keyword_hits, vector_hits = self._both(query, pool, filters, timings, degraded)
            else:
                if requested in (SearchMode.keyword, SearchMode.hybrid):
                    keyword_hits = self._keyword(query, pool, filters, timings, degraded)
                if requested in (SearchMode.vector, SearchMode.hybrid) or keyword_hits is None:
                    vector_hits = self._vector(query, pool, filters, timings, degraded)
                if requested is SearchMode.vector and vector_hits is None and keyword_hits is None:
                    keyword_hits = self._keyword(query, pool, filters, timings, degraded)

            hits: list[Hit]
            if keyword_hits is not None and vector_hits is not None:
                with self._stage("fusion", timings) as fusion_span:
                    keyword_weight, vector_weight = self.keyword_weight, self.vector_weight
                    if self.fusion_rule is not None:
                        keyword_weight, vector_weight, coverage = self.fusion_rule.weights(
                            query, keyword_hits, keyword_weight, vector_weight
                        )
                        fusion_span.set_attribute("shoptalk.fusion.coverage", round(coverage, 3))
                        fusion_span.set_attribute("shoptalk.fusion.keyword_weight", round(keyword_weight, 3))
                    hits = reciprocal_rank_fusion(
                        keyword_hits,
                        vector_hits,
                        self.rrf_k,
                        keyword_weight,
                        vector_weight,
                        limit=k,
                    )
                served = SearchMode.hybrid
            elif keyword_hits is not None:
                hits, served = single_half(keyword_hits, "keyword", k), SearchMode.keyword
            elif vector_hits is not None:
                hits, served = single_half(vector_hits, "vector", k), SearchMode.vector
            else:
                hits, served = [], requested
                degraded.append("no-search-backend")
            if profile == "quality":
                hits = self._rerank(query, hits, timings, degraded)
            hits = hits[:served_k]
            span.set_attribute("shoptalk.search.served_mode", served.value)
            span.set_attribute("shoptalk.search.degraded", ",".join(degraded))
        record_degraded(degraded, requested.value)  # logged and counted (issue 14)
        return SearchResult(
            query=query,
            mode=served,
            requested_mode=requested,
            hits=hits,
            degraded=degraded,
            timings_ms=timings,
        )

    def _rerank(
        self, query: str, hits: list[Hit], timings: dict[str, float], degraded: list[str]
    ) -> list[Hit]:
        """The quality profile's last step; slow or down: the fused order, flagged in ``degraded``."""
        with self._stage("rerank", timings):
            outcome = rerank_or_fallback(
                self.reranker,
                query,
                hits,
                self.rerank_top_n,
                fused_weight=self.rerank_fused_weight,
                blend_k=self.rerank_blend_k,
            )
        if outcome.degraded:
            degraded.append(outcome.degraded)
        return outcome.hits

    def get_product(self, item_id: str) -> Product | None:
        """The product, ``None`` when no index has it; :class:`IndexUnavailable` when every
        configured index failed (an outage is not "unknown product")."""
        tried = failed = 0
        for index in (self.keyword, self.vector):
            if index is None:
                continue
            tried += 1
            try:
                found = index.get([item_id]).get(item_id)
            except Exception as exc:
                failed += 1
                log.warning("search.get_product_failed", index=type(index).__name__, error=str(exc)[:200])
                continue
            if found is not None:
                return found
        if tried and failed == tried:
            record_degraded(["product-lookup-unavailable"], "get")
            raise IndexUnavailable(f"no index answered for {item_id!r}")
        return None

    def readiness(self) -> dict[str, bool]:
        return {
            "keyword_index": bool(self.keyword and self.keyword.ping()),
            "vector_index": bool(self.vector and self.vector.ping()),
            "embedder": self.embedder is not None,
        }
