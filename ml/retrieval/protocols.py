"""The index and reranker seams. Each has two real implementations (server and embedded)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from ml.catalog.product import Product
from ml.retrieval.types import Hit, IndexHit, SearchFilters


class IndexUnavailable(RuntimeError):
    """The index cannot be reached or read; callers degrade to the other half."""


@runtime_checkable
class KeywordIndex(Protocol):
    """BM25 full-text index over product documents (Elasticsearch, or embedded tantivy)."""

    name: str

    def upsert(self, products: Sequence[Product]) -> int:
        """Insert or replace by ``item_id``; returns how many were written."""
        ...

    def delete(self, item_ids: Sequence[str]) -> int:
        """Remove by ``item_id``; returns how many of them were present (absent ids are ignored)."""
        ...

    def search(self, query: str, k: int, filters: SearchFilters | None = None) -> list[IndexHit]: ...

    def get(self, item_ids: Sequence[str]) -> dict[str, Product]: ...

    def ids(self) -> set[str]: ...

    def count(self) -> int: ...

    def ping(self) -> bool: ...

    def clear(self) -> None: ...


@runtime_checkable
class VectorIndex(Protocol):
    """Dense vector index (Milvus server, or Milvus Lite — the same pymilvus code)."""

    name: str

    def upsert(self, products: Sequence[Product], vectors: np.ndarray) -> int: ...

    def delete(self, item_ids: Sequence[str]) -> int:
        """Remove by ``item_id``; returns how many of them were present (absent ids are ignored)."""
        ...

    def search(self, vector: np.ndarray, k: int, filters: SearchFilters | None = None) -> list[IndexHit]: ...

    def model_versions(self) -> dict[str, str]:
        """``item_id → embedding model version`` of every stored vector."""
        ...

    def get(self, item_ids: Sequence[str]) -> dict[str, Product]: ...

    def ids(self) -> set[str]: ...

    def count(self) -> int: ...

    def ping(self) -> bool: ...

    def clear(self) -> None: ...


class RerankerUnavailable(RuntimeError):
    """The reranker failed or is unreachable; the fused order is served instead."""

    degraded = "reranker-unavailable"


class RerankerTimeout(RerankerUnavailable):
    """The reranker ran past its per-request budget; the fused order is served instead."""

    degraded = "reranker-timeout"


@runtime_checkable
class Reranker(Protocol):
    """Cross-encoder over fused hits (KServe ``reranker`` service, or ONNX in-process)."""

    @property
    def model_version(self) -> str: ...

    def rerank(self, query: str, hits: Sequence[Hit], top_n: int) -> list[Hit]:
        """The first ``top_n`` hits reordered by relevance (each with ``rerank_score``), then
        the rest in their fused order; ranks renumbered, each half's rank kept. Raises
        :class:`RerankerUnavailable` (or :class:`RerankerTimeout`) instead of serving late."""
        ...
