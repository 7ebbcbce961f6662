"""The Milvus *server* code path against a real Milvus standalone server (PyPI ``milvus`` 2.3.5):
URI, collection creation with HNSW and a consistency level, upserts, filtered search with the
catalog's non-English values, delete — and the fault: the server stops mid-use, hybrid search
serves keyword-only and says so, and the vector half comes back when the server does."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

from ml.catalog.document import document_text
from ml.catalog.product import Product
from ml.retrieval.engine import HybridSearcher
from ml.retrieval.milvus_index import MilvusVectorIndex
from ml.retrieval.protocols import IndexUnavailable, VectorIndex
from ml.retrieval.types import SearchFilters, SearchMode
from tests.fakes.catalog import HashingEmbedder, InMemoryKeywordIndex
from tests.servers.milvus import MilvusTestServer, unique_collection

from .test_milvus_lite import catalog_non_ascii_values

pytestmark = pytest.mark.integration
RECOVERY_S = 10.0  # hybrid again within this long after the server is back


def _fresh_client_serves(uri: str, collection: str, dim: int) -> bool:
    """Whether a brand-new client can search ``collection`` right now (2 s budget)."""
    from pymilvus import MilvusClient

    try:
        client = MilvusClient(uri=uri, timeout=2)
    except Exception:
        return False
    try:
        client.search(collection, data=[[1.0] + [0.0] * (dim - 1)], limit=1, timeout=2)
        return True
    except Exception:
        return False
    finally:
        client.close()


def _gateway_search(searcher: HybridSearcher, query: str) -> tuple[int, dict[str, Any]]:
    """GET /v1/search on the real gateway app over ``searcher`` (in-process ASGI, no network)."""
    import asyncio
    import tempfile

    import httpx

    from ml.config import Settings
    from services.gateway.app import create_app

    async def call() -> tuple[int, dict[str, Any]]:
        with tempfile.TemporaryDirectory(prefix="shoptalk-gw-") as tmp:
            app = create_app(Settings(data_dir=tmp), searcher=searcher, llm=False)
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
                    response = await client.get("/v1/search", params={"q": query, "k": 5})
                    return response.status_code, response.json()

    return asyncio.run(call())


CONSISTENCY = {"Strong": 0, "Session": 1, "Bounded": 2, "Eventually": 3}


def products() -> list[Product]:
    colours = catalog_non_ascii_values()
    return [
        Product(
            item_id=f"S{i:03d}",
            title=f"{c} walking shoe model {i}",
            brand="Müller Schuhe" if i % 2 else "Café Crème",
            product_type="SHOES",
            colors=[c],
            price=20.0 + i,
        )
        for i, c in enumerate(colours)
    ]


def test_server_collection_upsert_filter_delete(milvus_server: MilvusTestServer) -> None:
    assert milvus_server.uri.startswith("http://127.0.0.1:")
    name = unique_collection("srv")
    embedder = HashingEmbedder()
    items = products()
    vectors = embedder.embed([document_text(p) for p in items])
    index = MilvusVectorIndex(milvus_server.uri, name, dim=embedder.dim, consistency_level="Strong")
    try:
        assert isinstance(index, VectorIndex) and not index.local
        assert index.upsert(items, vectors) == len(items)
        assert index.upsert(items[:3], vectors[:3]) == 3  # idempotent by item_id
        assert index.count() == len(items)
        described = index.client.describe_collection(name)
        assert described["consistency_level"] == CONSISTENCY["Strong"]
        built = index.client.describe_index(name, "vector")
        assert built["index_type"] == "HNSW" and built["metric_type"] == "COSINE"
        assert index.index_plan.index_type == "HNSW"

        top = index.search(vectors[4], 3)
        assert top[0].item_id == items[4].item_id and top[0].score == pytest.approx(1.0, abs=1e-3)
        for product in items:
            colour = product.colors[0]
            hits = index.search(vectors[0], 50, SearchFilters(colors=[colour]))
            assert [h.item_id for h in hits] == [product.item_id], colour
        cafe = index.search(vectors[0], 50, SearchFilters(brands=["CAFÉ CRÈME"], price_max=25))
        assert {h.item_id for h in cafe} == {"S000", "S002", "S004"}

        assert index.delete([items[0].item_id, items[1].item_id, "missing"]) == 2
        assert index.count() == len(items) - 2
        assert items[0].item_id not in index.ids()
        assert index.get([items[0].item_id]) == {}
        assert index.model_versions().keys() == {p.item_id for p in items[2:]}
    finally:
        index.client.drop_collection(name)
        index.close()


def test_default_consistency_is_bounded_and_recorded(milvus_server: MilvusTestServer) -> None:
    name = unique_collection("bounded")
    index = MilvusVectorIndex(milvus_server.uri, name, dim=8)
    try:
        assert index.count() == 0
        assert index.client.describe_collection(name)["consistency_level"] == CONSISTENCY["Bounded"]
    finally:
        index.client.drop_collection(name)
        index.close()


def test_unreachable_server_is_unavailable_fast() -> None:
    index = MilvusVectorIndex("http://127.0.0.1:9", "x", dim=8, timeout_s=1)
    start = time.monotonic()
    assert index.ping() is False
    with pytest.raises(IndexUnavailable):
        index.search(np.ones(8, dtype=np.float32), 3)
    assert time.monotonic() - start < 10


@pytest.mark.slow
def test_server_outage_degrades_to_keyword_then_recovers(milvus_server: MilvusTestServer) -> None:
    name = unique_collection("fault")
    embedder = HashingEmbedder()
    items = products()
    keyword = InMemoryKeywordIndex()
    keyword.upsert(items)
    vector = MilvusVectorIndex(
        milvus_server.uri, name, dim=embedder.dim, timeout_s=2, consistency_level="Strong"
    )
    vector.upsert(items, embedder.embed([document_text(p) for p in items]))
    searcher = HybridSearcher(keyword, vector, embedder, candidate_pool=10)
    query = f"{items[3].colors[0]} walking shoe"
    try:
        healthy = searcher.search(query, k=5)
        assert healthy.mode is SearchMode.hybrid and not healthy.degraded

        milvus_server.stop()
        start = time.monotonic()
        down = searcher.search(query, k=5)
        down_s = time.monotonic() - start
        assert down_s < 15
        assert down.mode is SearchMode.keyword and down.requested_mode is SearchMode.hybrid
        assert "vector-index-unavailable" in down.degraded and down.hits
        assert searcher.readiness()["vector_index"] is False
        vector_only = searcher.search(query, k=5, mode="vector")  # falls back, and says so
        assert vector_only.mode is SearchMode.keyword and "vector-index-unavailable" in vector_only.degraded

        # Through the gateway too: a 200 that says it is degraded, never a 500.
        status, body = _gateway_search(searcher, query)
        assert status == 200, body
        assert body["mode"] == "keyword" and "vector-index-unavailable" in body["degraded"] and body["hits"]

        milvus_server.start()  # returns once the server answers RPCs again
        started_at = time.monotonic()
        # The server is "back" for this index when a fresh client can search the collection (after
        # a restart Milvus reloads it first); the searcher must follow within RECOVERY_S of that.
        served_at: float | None = None
        while True:
            if served_at is None and _fresh_client_serves(milvus_server.uri, name, embedder.dim):
                served_at = time.monotonic()
            result = searcher.search(query, k=5)
            if result.mode is SearchMode.hybrid and not result.degraded:
                break
            now = time.monotonic()
            assert now - started_at < 180, f"collection never served again: {result.degraded}"
            if served_at is not None:
                late = now - served_at
                assert late < RECOVERY_S, f"searcher still degraded {late:.1f}s after the server served"
            time.sleep(0.25)
        recovered_at = time.monotonic()
        served_at = served_at or recovered_at  # the searcher itself was the first to get an answer
        assert recovered_at - served_at < RECOVERY_S
        assert any(h.vector_rank is not None for h in result.hits)
        print(
            f"milvus outage: keyword-only in {down_s:.2f}s; after start(): collection served in "
            f"{served_at - started_at:.1f}s, hybrid again {recovered_at - served_at:.2f}s later"
        )
    finally:
        if not milvus_server.running:
            milvus_server.start()
        vector.close()
