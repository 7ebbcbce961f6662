"""Model names and numbers match with and without hyphens, in both keyword backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml.catalog.identifiers import compact, document_identifiers, query_identifiers
from ml.catalog.product import Product
from ml.retrieval.elasticsearch_index import search_body
from ml.retrieval.tantivy_index import TantivyKeywordIndex


def test_compacted_forms() -> None:
    assert compact("SM-G991B") == "smg991b"
    assert document_identifiers("Casio F-91W Digital Watch", "SM-G991B", None) == ["f91w", "smg991b"]
    assert document_identifiers("Grey 3-Seater Sofa", "Queen-Size") == ["3seater"]
    assert query_identifiers("case for SM-G991B") == ["smg991b"]
    assert query_identifiers("sm g991b case") == ["smg991b"]
    assert query_identifiers("casio f 91w") == ["f91w"]
    assert query_identifiers("iphone 12 case") == [] and query_identifiers("5x7 rug") == []


PRODUCTS = [
    Product(item_id="W1", title="Casio F-91W Digital Watch", product_type="WATCH", brand="Casio"),
    Product(item_id="W2", title="Classic Digital Sports Watch", product_type="WATCH", model_number="F91"),
    Product(
        item_id="C1", title="Rugged case for Galaxy S21", product_type="CELLULAR_PHONE_CASE",
        model_number="SM-G991B",
    ),
    Product(item_id="K1", title="Electric kettle 1.7 l", product_type="KITCHEN", model_name="AB ECK17"),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> TantivyKeywordIndex:
    keyword = TantivyKeywordIndex(Path(tmp_path_factory.mktemp("ident")))
    keyword.upsert(PRODUCTS)
    return keyword


@pytest.mark.parametrize(
    ("query", "item_id"),
    [
        ("F-91W", "W1"),
        ("F91W", "W1"),
        ("f91w watch", "W1"),
        ("SM-G991B", "C1"),
        ("smg991b", "C1"),
        ("sm g991b", "C1"),
        ("ABECK17", "K1"),
        ("AB-ECK17", "K1"),
    ],
)
def test_tantivy_finds_identifiers_either_way(index: TantivyKeywordIndex, query: str, item_id: str) -> None:
    hits = index.search(query, 3)
    assert hits and hits[0].item_id == item_id, (query, [h.item_id for h in hits])


def test_elasticsearch_query_adds_the_same_compacted_forms() -> None:
    def text(query: str) -> str:
        return str(search_body(query, 5)["query"]["bool"]["must"][0]["multi_match"]["query"])

    assert text("case for SM-G991B").split()[-1] == "smg991b"
    assert text("iphone 12 case") == "iphone 12 case"
