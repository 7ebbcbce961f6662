"""One conformance suite for every index backend (as Haystack's ``DocumentStoreBaseTests``).

The same behavioural tests run against every keyword backend — tantivy (embedded), Elasticsearch
(through the hand-written evaluating peer in ``es_peer.py``; no real server can be installed
here) and the in-memory fake the unit tests use — and every vector backend — embedded Milvus
Lite 2.5, the real Milvus standalone server (``tests/servers/milvus.py``) and the in-memory
fake. Expected results come from one reference predicate over the products, never from a
backend: filters with the catalog's non-English values, upsert idempotence, delete, counts,
get, and outages (an unavailable backend raises ``IndexUnavailable`` and pings false).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ml.catalog.product import Product
from ml.retrieval.elasticsearch_index import ElasticsearchKeywordIndex
from ml.retrieval.milvus_index import MilvusVectorIndex
from ml.retrieval.protocols import IndexUnavailable, KeywordIndex, VectorIndex
from ml.retrieval.tantivy_index import TantivyKeywordIndex
from ml.retrieval.types import SearchFilters
from tests.fakes.catalog import InMemoryKeywordIndex, InMemoryVectorIndex, matches
from tests.servers.milvus import unique_collection

from .es_peer import ElasticsearchPeer
from .test_milvus_lite import catalog_non_ascii_values

DIM = 16
KEYWORD_BACKENDS = ["tantivy", "elasticsearch-peer", "memory"]
VECTOR_BACKENDS = ["milvus-lite", "milvus-server", "memory"]


def catalog() -> list[Product]:
    """Products whose brands and colours include the sample catalog's non-English values."""
    colours = catalog_non_ascii_values()[:6]  # Weiß, Grün, ブルー, Argenté, … (ü é ß ー)
    brands = ["Müller", "Crème Brûlée", "Straße & Co", "コーヒー", "Plain"]
    types = ["SHOES", "SHIRT", "LAMP"]
    out = []
    for i in range(18):
        out.append(
            Product(
                item_id=f"C{i:03d}",
                title=f"gear item {i} {['trail', 'city', 'home'][i % 3]} edition",
                brand=brands[i % len(brands)],
                product_type=types[i % len(types)],
                colors=[colours[i % len(colours)].lower(), *(["black"] if i % 4 == 0 else [])],
                price=5.0 + 7.0 * i,
                embedding_model="conf-model+v1",
            )
        )
    return out


def vectors_for(products: list[Product], seed: int = 0) -> np.ndarray:
    """Non-negative unit vectors: every similarity is positive, so a search can reach every row."""
    rng = np.random.default_rng(seed)
    v = np.abs(rng.normal(size=(len(products), DIM))).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


FILTER_CASES = [
    SearchFilters(brands=["MÜLLER"]),
    SearchFilters(brands=["straße & co", "コーヒー"]),
    SearchFilters(brands=["Crème Brûlée"], price_max=80),
    SearchFilters(colors=["GRÜN"]),
    SearchFilters(colors=["argenté", "black"]),
    SearchFilters(product_types=["shirt"], price_min=20, price_max=90),
    SearchFilters(product_types=["LAMP"], colors=["ブルー"]),
    SearchFilters(brands=["nobody"]),
]


def expected(products: list[Product], filters: SearchFilters) -> set[str]:
    return {p.item_id for p in products if matches(p, filters)}


# ---------------------------------------------------------------------- keyword backends
@pytest.fixture(params=KEYWORD_BACKENDS)
def keyword_backend(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Any, Callable[[], None]]]:
    """``(index, break_it)``: an empty index and a function that takes its backend away."""
    if request.param == "tantivy":
        index = TantivyKeywordIndex(tmp_path / "kw")
        yield index, lambda: None
    elif request.param == "elasticsearch-peer":
        peer = ElasticsearchPeer()
        es = ElasticsearchKeywordIndex(peer.url, "shoptalk-products", timeout_s=2)
        yield es, peer.failing.set
        peer.close()
    else:
        memory = InMemoryKeywordIndex()
        yield memory, lambda: setattr(memory, "down", True)


@pytest.fixture
def keyword(keyword_backend: tuple[Any, Callable[[], None]]) -> Any:
    return keyword_backend[0]


def test_keyword_satisfies_protocol_and_starts_empty(keyword: Any) -> None:
    assert isinstance(keyword, KeywordIndex)
    assert keyword.count() == 0 and keyword.ids() == set()
    assert keyword.search("gear", 5) == [] and keyword.get(["C000"]) == {}


def test_keyword_upsert_is_idempotent_by_item_id(keyword: Any) -> None:
    products = catalog()
    assert keyword.upsert(products) == len(products)
    renamed = products[1].model_copy(update={"title": "gear renamed zeppelin"})
    assert keyword.upsert([*products[:3], renamed]) == 4
    assert keyword.count() == len(products)
    assert keyword.ids() == {p.item_id for p in products}
    assert keyword.get(["C001"])["C001"].title == "gear renamed zeppelin"
    assert keyword.search("zeppelin", 5)[0].item_id == "C001"


def test_keyword_search_ranks_and_limits(keyword: Any) -> None:
    products = catalog()
    keyword.upsert(products)
    hits = keyword.search("gear trail", 4)
    assert len(hits) == 4 and [h.rank for h in hits] == [1, 2, 3, 4]
    assert all("trail" in h.product.title for h in hits[:3])
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))
    assert keyword.search("gear", 0) == []


def test_keyword_filters_match_reference(keyword: Any) -> None:
    products = catalog()
    keyword.upsert(products)
    for filters in FILTER_CASES:
        got = {h.item_id for h in keyword.search("gear", 50, filters)}
        assert got == expected(products, filters), filters


def test_keyword_delete_and_get(keyword: Any) -> None:
    products = catalog()
    keyword.upsert(products)
    assert keyword.delete(["C002", "C003", "absent"]) == 2
    assert keyword.delete(["C002"]) == 0 and keyword.delete([]) == 0
    assert keyword.count() == len(products) - 2
    assert "C002" not in keyword.ids() and "C004" in keyword.ids()
    assert set(keyword.get(["C002", "C004", "absent"])) == {"C004"}
    assert all(h.item_id not in {"C002", "C003"} for h in keyword.search("gear", 50))
    keyword.clear()
    assert keyword.count() == 0


def with_gallery(products: list[Product]) -> list[Product]:
    """The first product with three pictures, as a listing with main + two other views stores them."""
    paths = ["ab/main.jpg", "ab/side.jpg", "ab/back.jpg"]
    return [products[0].model_copy(update={"image_path": paths[0], "image_paths": paths}), *products[1:]]


def test_keyword_get_round_trips_the_image_gallery(keyword: Any) -> None:
    products = with_gallery(catalog())
    keyword.upsert(products)
    got = keyword.get(["C000", "C001"])
    assert got["C000"].image_paths == products[0].image_paths and got["C001"].image_paths == []


def test_keyword_outage_is_index_unavailable(keyword_backend: tuple[Any, Callable[[], None]]) -> None:
    index, break_it = keyword_backend
    if isinstance(index, TantivyKeywordIndex):  # embedded: an unreadable folder is its outage
        index.upsert(catalog())
        for meta in index.path.glob("meta.json"):
            meta.write_text("{ not json")
        with pytest.raises(IndexUnavailable, match="tantivy"):
            TantivyKeywordIndex(index.path)
        return
    index.upsert(catalog())
    break_it()
    assert index.ping() is False
    with pytest.raises(IndexUnavailable):
        index.search("gear", 5)
    with pytest.raises(IndexUnavailable):
        index.get(["C000"])
    with pytest.raises(IndexUnavailable):
        index.count()


# ---------------------------------------------------------------------- vector backends
@pytest.fixture(scope="module")
def lite_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = str(tmp_path_factory.mktemp("lite") / "conformance.db")
    keeper = MilvusVectorIndex(path, "keeper", dim=DIM)  # holds the engine open between tests
    keeper.count()
    yield path
    keeper.close()


@pytest.fixture(params=VECTOR_BACKENDS)
def vector_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, Callable[[], Any]]]:
    """``(index, broken)``: an empty index and a factory for one whose backend is unavailable."""
    if request.param == "milvus-lite":
        # One embedded engine (file) for the module; a fresh collection per test.
        lite_file = request.getfixturevalue("lite_file")
        lite = MilvusVectorIndex(lite_file, unique_collection("conf"), dim=DIM)

        def broken_lite() -> MilvusVectorIndex:
            bad = tmp_path / "bad.db"
            bad.write_bytes(os.urandom(2048))
            return MilvusVectorIndex(str(bad), "conf", dim=DIM)

        yield lite, broken_lite
        try:
            lite.client.drop_collection(lite.collection)
        finally:
            lite.close()
    elif request.param == "milvus-server":
        server = request.getfixturevalue("milvus_server")
        name = unique_collection("conf")
        remote = MilvusVectorIndex(server.uri, name, dim=DIM, consistency_level="Strong")
        yield remote, lambda: MilvusVectorIndex("http://127.0.0.1:9", name, dim=DIM, timeout_s=1)
        try:
            remote.client.drop_collection(name)
        finally:
            remote.close()
    else:
        memory = InMemoryVectorIndex()

        def broken_memory() -> InMemoryVectorIndex:
            down = InMemoryVectorIndex()
            down.down = True
            return down

        yield memory, broken_memory


@pytest.fixture
def vector(vector_backend: tuple[Any, Callable[[], Any]]) -> Any:
    return vector_backend[0]


def test_vector_satisfies_protocol_and_starts_empty(vector: Any) -> None:
    assert isinstance(vector, VectorIndex)
    assert vector.count() == 0 and vector.ids() == set() and vector.model_versions() == {}
    assert vector.get(["C000"]) == {}


def test_vector_search_finds_own_vector_first(vector: Any) -> None:
    products, vecs = catalog(), vectors_for(catalog())
    assert vector.upsert(products, vecs) == len(products)
    for i in (0, 7, 17):
        hits = vector.search(vecs[i], 3)
        assert hits[0].item_id == products[i].item_id and hits[0].score == pytest.approx(1.0, abs=1e-3)
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
        assert hits[0].product.brand == products[i].brand
    assert vector.search(vecs[0], 0) == []


def test_vector_upsert_is_idempotent_and_replaces_the_vector(vector: Any) -> None:
    products, vecs = catalog(), vectors_for(catalog())
    vector.upsert(products, vecs)
    moved = vectors_for(products, seed=99)[:1]
    renamed = products[5].model_copy(update={"title": "gear moved", "embedding_model": "conf-model+v2"})
    vector.upsert([renamed], moved)
    vector.upsert(products[:2], vecs[:2])
    assert vector.count() == len(products)
    assert vector.ids() == {p.item_id for p in products}
    assert vector.search(moved[0], 1)[0].item_id == "C005"
    assert vector.get(["C005"])["C005"].title == "gear moved"
    versions = vector.model_versions()
    assert set(versions) == {p.item_id for p in products}
    if not isinstance(vector, InMemoryVectorIndex):  # the fake reports one fixed version
        assert versions["C005"] == "conf-model+v2" and versions["C000"] == "conf-model+v1"


def test_vector_filters_match_reference(vector: Any) -> None:
    products, vecs = catalog(), vectors_for(catalog())
    vector.upsert(products, vecs)
    probe = vectors_for(products, seed=5)[0]
    for filters in FILTER_CASES:
        got = {h.item_id for h in vector.search(probe, 50, filters)}
        assert got == expected(products, filters), filters


def test_vector_delete_and_get(vector: Any) -> None:
    products, vecs = catalog(), vectors_for(catalog())
    vector.upsert(products, vecs)
    assert vector.delete(["C002", "C003", "absent"]) == 2
    assert vector.delete(["C002"]) == 0 and vector.delete([]) == 0
    assert vector.count() == len(products) - 2
    assert "C002" not in vector.ids() and "C002" not in vector.model_versions()
    assert set(vector.get(["C002", "C004", "absent"])) == {"C004"}
    assert all(h.item_id != "C002" for h in vector.search(vecs[2], 5))
    vector.clear()
    assert vector.count() == 0


def test_vector_get_round_trips_the_image_gallery(vector: Any) -> None:
    products = with_gallery(catalog())
    vector.upsert(products, vectors_for(products))
    got = vector.get(["C000", "C001"])
    assert got["C000"].image_paths == products[0].image_paths and got["C001"].image_paths == []


def test_vector_outage_is_index_unavailable(vector_backend: tuple[Any, Callable[[], Any]]) -> None:
    broken = vector_backend[1]()
    assert broken.ping() is False
    with pytest.raises(IndexUnavailable):
        broken.search(np.ones(DIM, dtype=np.float32) / np.sqrt(DIM), 3)
    with pytest.raises(IndexUnavailable):
        broken.count()
