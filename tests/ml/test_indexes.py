"""Both embedded index backends against the same expectations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ml.catalog.product import Product
from ml.retrieval.milvus_index import MilvusVectorIndex, filter_expression
from ml.retrieval.protocols import IndexUnavailable, KeywordIndex, VectorIndex
from ml.retrieval.tantivy_index import TantivyKeywordIndex, query_terms
from ml.retrieval.types import SearchFilters

PRODUCTS = [
    Product(
        item_id="A1",
        title="Waterproof hiking boots",
        brand="Trailblaze",
        product_type="BOOT",
        colors=["brown"],
        price=120.0,
        bullets=["Vibram sole"],
    ),
    Product(
        item_id="A2",
        title="Clear shockproof iPhone 12 case",
        brand="Casey",
        product_type="CELLULAR_PHONE_CASE",
        colors=["clear"],
        price=12.99,
    ),
    Product(
        item_id="A3",
        title="Running shoes",
        brand="Stride",
        product_type="SHOES",
        colors=["black", "white"],
        price=60.0,
    ),
    Product(
        item_id="A4",
        title="Leather hiking boot for women",
        brand=None,
        product_type="BOOT",
        colors=["black"],
        price=95.0,
    ),
]


@pytest.fixture
def tantivy_index(tmp_path: Path) -> TantivyKeywordIndex:
    index = TantivyKeywordIndex(tmp_path / "kw")
    index.upsert(PRODUCTS)
    return index


def test_tantivy_satisfies_protocol(tantivy_index: TantivyKeywordIndex) -> None:
    assert isinstance(tantivy_index, KeywordIndex)


def test_tantivy_upsert_is_idempotent(tantivy_index: TantivyKeywordIndex) -> None:
    tantivy_index.upsert(PRODUCTS[:2])
    changed = PRODUCTS[0].model_copy(update={"title": "Renamed boots"})
    tantivy_index.upsert([changed])
    assert tantivy_index.count() == 4
    assert tantivy_index.ids() == {"A1", "A2", "A3", "A4"}
    assert tantivy_index.get(["A1"])["A1"].title == "Renamed boots"


def test_tantivy_stems_and_ranks_title_matches(tantivy_index: TantivyKeywordIndex) -> None:
    ranked = [h.item_id for h in tantivy_index.search("hiking boot", 10)]
    assert set(ranked[:2]) == {"A1", "A4"}
    assert all(h.rank == i for i, h in enumerate(tantivy_index.search("boots", 10), start=1))


def test_tantivy_tolerates_typos_and_query_syntax(tantivy_index: TantivyKeywordIndex) -> None:
    assert tantivy_index.search("hikng bots", 5)[0].item_id in {"A1", "A4"}
    for nasty in ["boots AND (", 'title:"x', "*:*", "-", "NOT"]:
        tantivy_index.search(nasty, 5)  # never raises
    assert query_terms('x:"b" (c) OR d') == ["x", "b", "c", "d"]
    assert query_terms("a case for the phone") == ["case", "phone"]  # stop words dropped …
    assert query_terms("to be or not to be") == ["to", "be", "to", "be"]  # … unless nothing else is left
    assert tantivy_index.search("   ", 5) == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SearchFilters(price_max=100), {"A4"}),
        (SearchFilters(product_types=["boot"]), {"A1", "A4"}),
        (SearchFilters(brands=["TRAILBLAZE"]), {"A1"}),
        (SearchFilters(colors=["Black"]), {"A4"}),
        (SearchFilters(price_min=100, price_max=200), {"A1"}),
    ],
)
def test_tantivy_filters(
    tantivy_index: TantivyKeywordIndex, filters: SearchFilters, expected: set[str]
) -> None:
    assert {h.item_id for h in tantivy_index.search("boots hiking", 10, filters)} == expected


def test_milvus_filter_expression_escapes_values() -> None:
    expr = filter_expression(
        SearchFilters(price_min=1, price_max=9.5, product_types=["shoes"], brands=['Bob"s'], colors=["Red"])
    )
    assert expr == (
        'price >= 1.0 and price <= 9.5 and product_type in ["SHOES"] and brand in ["bob\\"s"] '
        'and array_contains_any(colors, ["red"])'
    )
    assert filter_expression(None) == "" == filter_expression(SearchFilters())


def unit_vectors(n: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_milvus_lite_roundtrip_filters_and_reopen(tmp_path: Path) -> None:
    uri = str(tmp_path / "m.db")
    vectors = unit_vectors(len(PRODUCTS))
    index = MilvusVectorIndex(uri, "products", dim=8)
    assert isinstance(index, VectorIndex)
    stamped = [p.model_copy(update={"embedding_model": "m1"}) for p in PRODUCTS]
    assert index.upsert(stamped, vectors) == 4
    index.upsert(stamped[:2], vectors[:2])
    assert index.count() == 4
    top = index.search(vectors[2], 4)
    assert top[0].item_id == "A3" and top[0].rank == 1 and top[0].score == pytest.approx(1.0, abs=1e-4)
    filtered = index.search(vectors[2], 4, SearchFilters(product_types=["BOOT"], colors=["black"]))
    assert [h.item_id for h in filtered] == ["A4"]
    assert index.model_versions() == {p.item_id: "m1" for p in PRODUCTS}
    index.close()
    reopened = MilvusVectorIndex(uri, "products", dim=8)
    assert reopened.count() == 4
    assert reopened.get(["A2", "missing"])["A2"].title.startswith("Clear")
    assert reopened.search(vectors[0], 1)[0].item_id == "A1"
    reopened.close()
    with pytest.raises(IndexUnavailable, match="dim"):
        MilvusVectorIndex(uri, "products", dim=16).count()


def test_milvus_upsert_rejects_mismatched_lengths(tmp_path: Path) -> None:
    index = MilvusVectorIndex(str(tmp_path / "m.db"), "p", dim=8)
    with pytest.raises(ValueError, match="vectors"):
        index.upsert(PRODUCTS, unit_vectors(2))
    index.close()
