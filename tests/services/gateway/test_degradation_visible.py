"""Failures are visible (issue 14, items 6 and 7): every degraded search is logged and counted, a
product lookup during an outage is a 503 (not 404), /readyz asks the embedder for a real embedding,
and an embedder/index model-version mismatch is not ready and refuses the vector half."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator

import httpx
import numpy as np
import pytest
from prometheus_client import REGISTRY

from ml.config import Settings
from ml.embedding.protocol import EmbedderUnavailable
from ml.retrieval.model_skew import check_or_reload, check_versions, sample_versions
from ml.retrieval.protocols import IndexUnavailable
from services.gateway.app import create_app
from services.gateway.routes import health
from tests.fakes.catalog import HashingEmbedder, build_test_searcher


def degraded_count(reason: str) -> float:
    return REGISTRY.get_sample_value("shoptalk_search_degraded_total", {"reason": reason}) or 0.0


class DeadEmbedder(HashingEmbedder):
    def embed(self, texts):  # type: ignore[no-untyped-def]
        raise EmbedderUnavailable("embedder service unavailable")


class HangingEmbedder(HashingEmbedder):
    release = threading.Event()

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.release.wait(5)
        return super().embed(texts)


class NewAdapterEmbedder(HashingEmbedder):
    model_version = "hashing-test+adapter-v2"


class Broken:
    def get(self, ids):  # type: ignore[no-untyped-def]
        raise IndexUnavailable("connection refused")

    def ping(self) -> bool:
        return False

    def count(self) -> int:
        raise IndexUnavailable("connection refused")


@pytest.fixture(autouse=True)
def _no_intent_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "services.gateway.understanding.load_intent_model", lambda *_a, **_k: None, raising=False
    )


@pytest.fixture(autouse=True)
def _fresh_probes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "PROBE_TTL_S", 0.0)


async def _client(searcher, tmp_path) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    app = create_app(Settings(data_dir=tmp_path / "data"), searcher=searcher, llm=None)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g")
    async with app.router.lifespan_context(app), client as c:
        yield c


def test_degraded_searches_are_counted_and_logged(monkeypatch: pytest.MonkeyPatch) -> None:
    import ml.retrieval.degradation as degradation

    warned: list[tuple[str, dict[str, object]]] = []

    class Spy:
        def warning(self, event: str, **fields: object) -> None:
            warned.append((event, fields))

    monkeypatch.setattr(degradation, "log", Spy())  # whatever the process's log configuration
    searcher = build_test_searcher()
    searcher.embedder = DeadEmbedder()
    before = degraded_count("embedder-unavailable")
    result = searcher.search("hiking boots", k=3)
    assert "embedder-unavailable" in result.degraded and result.hits  # keyword-only, but visible
    assert degraded_count("embedder-unavailable") == before + 1
    assert [e for e, f in warned if "embedder-unavailable" in f["reasons"]] == ["search.degraded"]


def test_get_product_outage_raises_instead_of_not_found() -> None:
    searcher = build_test_searcher()
    assert searcher.get_product("NOPE000000") is None  # a real miss stays a miss
    searcher.keyword, searcher.vector = Broken(), Broken()  # type: ignore[assignment]
    with pytest.raises(IndexUnavailable):
        searcher.get_product("B0BOOT0001")


async def test_product_route_is_503_during_an_outage(tmp_path) -> None:  # type: ignore[no-untyped-def]
    searcher = build_test_searcher()
    async for client in _client(searcher, tmp_path):
        assert (await client.get("/v1/products/B0BOOT0001")).status_code == 200
        searcher.keyword, searcher.vector = Broken(), Broken()  # type: ignore[assignment]
        r = await client.get("/v1/products/B0BOOT0001")
        assert r.status_code == 503 and r.headers["retry-after"] == "5"
        assert "unavailable" in r.json()["error"]


async def test_readyz_asks_the_embedder_for_an_embedding(tmp_path) -> None:  # type: ignore[no-untyped-def]
    searcher = build_test_searcher()
    async for client in _client(searcher, tmp_path):
        ok = await client.get("/readyz")
        assert ok.status_code == 200 and ok.json()["checks"]["embedder"] is True
        searcher.embedder = DeadEmbedder()  # configured, but it does not answer
        dead = await client.get("/readyz")
        assert dead.status_code == 503 and dead.json()["checks"]["embedder"] is False
        assert "unavailable" in dead.json()["detail"]["embedder"]


async def test_readyz_embedder_probe_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    searcher = build_test_searcher()
    searcher.embedder = HangingEmbedder()
    HangingEmbedder.release.clear()
    try:
        ok, detail = await health.embedder_answers(searcher, timeout_s=0.2)
    finally:
        HangingEmbedder.release.set()
    assert not ok and "within 0.2s" in (detail or "")


def test_version_skew_refuses_the_vector_half() -> None:
    searcher = build_test_searcher()
    assert sample_versions(searcher.vector, 4) == {"hashing-test+identity": 4}
    assert not check_versions(searcher).mismatch
    searcher.embedder = NewAdapterEmbedder()  # promoted adapter, index still has the old vectors
    check = check_versions(searcher)
    assert check.mismatch and "hashing-test+adapter-v2" in (check.reason or "")
    before = degraded_count("embedder-version-mismatch")
    result = searcher.search("hiking boots", k=3, mode="hybrid")
    assert "embedder-version-mismatch" in result.degraded
    assert result.mode.value == "keyword" and all(h.vector_rank is None for h in result.hits)
    assert degraded_count("embedder-version-mismatch") == before + 1
    searcher.embedder = HashingEmbedder()  # back in step: the vector half returns
    assert not check_versions(searcher).mismatch
    assert searcher.search("hiking boots", k=3).mode.value == "hybrid"


def test_reload_policy_rebuilds_the_embedder(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    searcher = build_test_searcher()
    searcher.embedder = NewAdapterEmbedder()
    monkeypatch.setattr("ml.retrieval.factory.build_embedder", lambda settings: HashingEmbedder())
    refuse = check_or_reload(searcher, Settings(data_dir=tmp_path))
    assert refuse.mismatch and searcher.version_skew
    check = check_or_reload(searcher, Settings(data_dir=tmp_path, embedder_version_mismatch="reload"))
    assert not check.mismatch and searcher.version_skew is None
    assert isinstance(searcher.embedder, HashingEmbedder) and not isinstance(
        searcher.embedder, NewAdapterEmbedder
    )


async def test_readyz_reports_version_skew(tmp_path) -> None:  # type: ignore[no-untyped-def]
    searcher = build_test_searcher()
    async for client in _client(searcher, tmp_path):
        assert (await client.get("/readyz")).json()["checks"]["embedder_version"] is True
        searcher.embedder = NewAdapterEmbedder()
        r = await client.get("/readyz")
        body = r.json()
        assert r.status_code == 503 and body["checks"]["embedder_version"] is False
        assert "hashing-test+identity" in body["detail"]["embedder_version"]


def test_vectors_unused_when_skewed_even_if_similar() -> None:
    searcher = build_test_searcher()
    searcher.version_skew = "skew"
    assert searcher.search("boots", k=2, mode="vector").degraded[0] == "embedder-version-mismatch"
    assert np.isfinite(searcher.embed_query("boots")).all()  # the embedder itself still works
