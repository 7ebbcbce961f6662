"""Ingestion into both embedded indexes and hybrid search over them, with the real model."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from ml.config import Settings
from ml.embedding.protocol import EmbedderUnavailable
from ml.ingest.pipeline import ingest_catalog
from ml.retrieval.engine import HybridSearcher
from ml.retrieval.factory import build_keyword_index, build_vector_index
from ml.retrieval.protocols import IndexUnavailable
from ml.retrieval.types import SearchFilters, SearchMode

from .conftest import SMALL_CATALOG


@pytest.fixture
def indexed(small_catalog: Path, settings: Settings, embedder) -> Iterator[HybridSearcher]:  # type: ignore[no-untyped-def]
    keyword = build_keyword_index(settings)
    vector = build_vector_index(settings, embedder.dim)
    ingest_catalog(small_catalog, embedder, keyword, vector, batch_size=4)
    yield HybridSearcher(keyword, vector, embedder)
    vector.close()  # type: ignore[attr-defined]


def test_ingest_counts_and_idempotence(small_catalog: Path, settings: Settings, embedder) -> None:  # type: ignore[no-untyped-def]
    keyword = build_keyword_index(settings)
    vector = build_vector_index(settings, embedder.dim)
    first = ingest_catalog(small_catalog, embedder, keyword, vector, batch_size=3)
    assert first.products == len(SMALL_CATALOG)
    assert first.load.duplicates == 1
    assert first.embedded == first.keyword_count == first.vector_count == len(SMALL_CATALOG)
    again = ingest_catalog(small_catalog, embedder, keyword, vector)
    assert again.embedded == 0 and again.unchanged == len(SMALL_CATALOG)
    forced = ingest_catalog(small_catalog, embedder, keyword, vector, force=True)
    assert forced.embedded == len(SMALL_CATALOG)
    assert (forced.keyword_count, forced.vector_count) == (len(SMALL_CATALOG), len(SMALL_CATALOG))
    stored = vector.get(["B0BOOT0001"])["B0BOOT0001"]
    assert stored.embedding_model == embedder.model_version
    vector.close()  # type: ignore[attr-defined]


def test_partial_index_is_completed_on_rerun(small_catalog: Path, settings: Settings, embedder) -> None:  # type: ignore[no-untyped-def]
    keyword = build_keyword_index(settings)
    vector = build_vector_index(settings, embedder.dim)
    ingest_catalog(small_catalog, embedder, keyword, vector, limit=4)
    assert keyword.count() == 4
    rerun = ingest_catalog(small_catalog, embedder, keyword, vector)
    assert rerun.unchanged == 4 and rerun.embedded == len(SMALL_CATALOG) - 4
    assert keyword.ids() == vector.ids()
    vector.close()  # type: ignore[attr-defined]


def test_hybrid_reports_both_halves(indexed: HybridSearcher) -> None:
    result = indexed.search("waterproof hiking boots", k=5)
    assert result.mode is SearchMode.hybrid and not result.degraded
    top = result.hits[0]
    assert top.item_id == "B0BOOT0001"
    assert top.keyword_rank == 1 and top.vector_rank is not None
    assert {"keyword", "embed_query", "vector", "fusion"} <= set(result.timings_ms)


def test_vector_half_finds_paraphrases(indexed: HybridSearcher) -> None:
    hits = indexed.search("something to block out airplane noise", k=3, mode="vector").hits
    assert hits[0].item_id == "B0HEAD0009"
    assert hits[0].keyword_rank is None


@pytest.mark.parametrize("mode", list(SearchMode))
def test_filters_hold_in_every_mode(indexed: HybridSearcher, mode: SearchMode) -> None:
    filters = SearchFilters(product_types=["CELLULAR_PHONE_CASE"], price_max=1000)
    hits = indexed.search("leather", k=10, mode=mode, filters=filters).hits
    assert hits and all(h.product.product_type == "CELLULAR_PHONE_CASE" for h in hits)


class BrokenEmbedder:
    dim = 384
    model_version = "broken"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        raise EmbedderUnavailable("connection refused")


class BrokenKeyword:
    name = "broken"

    def search(self, *args: object, **kwargs: object) -> list:
        raise IndexUnavailable("down")

    def get(self, ids: object) -> dict:
        raise IndexUnavailable("down")


def test_dead_embedder_degrades_to_keyword(indexed: HybridSearcher) -> None:
    searcher = HybridSearcher(indexed.keyword, indexed.vector, BrokenEmbedder())
    result = searcher.search("hiking boots", k=3)
    assert result.mode is SearchMode.keyword
    assert result.degraded == ["embedder-unavailable"]
    assert result.hits and result.hits[0].product.product_type == "BOOT"


def test_dead_keyword_index_degrades_to_vector(indexed: HybridSearcher) -> None:
    searcher = HybridSearcher(BrokenKeyword(), indexed.vector, indexed.embedder)  # type: ignore[arg-type]
    result = searcher.search("hiking boots", k=3, mode="keyword")
    assert result.mode is SearchMode.vector
    assert result.degraded == ["keyword-index-unavailable"]
    assert result.hits[0].product.product_type == "BOOT"
    assert searcher.get_product("B0BOOT0001") is not None  # served by the vector half


def test_everything_down_returns_empty_not_error() -> None:
    result = HybridSearcher(BrokenKeyword(), None, BrokenEmbedder()).search("boots")  # type: ignore[arg-type]
    assert result.hits == [] and "no-search-backend" in result.degraded
