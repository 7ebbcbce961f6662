"""Recommendation routes over the real app: 404s, popular fallback, ranker, degraded fallback,
cache hits and invalidation on re-ingest (memory and Redis), event logging."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import fakeredis
import httpx
import numpy as np
import pytest

from ml.catalog.document import document_text
from ml.config import Settings
from ml.recommend import for_you
from ml.recommend.events import InteractionLog
from ml.recommend.synthetic import Event, generate_sessions
from ml.recommend.training import champion_dir, train_recommender
from services.gateway.app import create_app
from services.gateway.routes.recommend import RecommendationCache
from tests.fakes.catalog import HashingEmbedder, build_test_searcher
from tests.ml.recommend.catalog import hand_catalog, p


@pytest.fixture
def products():  # type: ignore[no-untyped-def]
    return hand_catalog()


@pytest.fixture
def rec_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def _log_views(settings: Settings, ids: list[str]) -> None:
    log = InteractionLog.in_data_dir(settings.data_dir)
    for n, item_id in enumerate(ids):
        log.append(Event(f"old-{n}", "2026-10-01T10:00:00+00:00", "view", item_id, "RUG"))


async def _client(settings: Settings, products: list[Any]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, searcher=build_test_searcher(products))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as c:
            c.app = app  # type: ignore[attr-defined]
            yield c


@pytest.fixture
async def client(rec_settings: Settings, products) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    _log_views(rec_settings, ["RUG3", "RUG3", "RUG3", "PAD1", "PAD1", "SOFA1"])
    async for c in _client(rec_settings, products):
        yield c


async def test_unknown_ids_are_404_with_the_id(client: httpx.AsyncClient) -> None:
    for path in ("/v1/products/NOPE42/similar", "/v1/products/NOPE42/complements"):
        r = await client.get(path)
        assert r.status_code == 404 and "NOPE42" in r.json()["error"]
    r = await client.post("/v1/events", json={"session_id": "s1", "event": "view", "item_id": "NOPE42"})
    assert r.status_code == 404 and "NOPE42" in r.json()["error"]
    r = await client.post("/v1/events", json={"session_id": "s1", "event": "buy", "item_id": "RUG1"})
    assert r.status_code == 422


async def test_similar_and_complements_shapes(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/products/RUG1/similar", params={"k": 3})
    body = r.json()
    assert r.status_code == 200 and body["kind"] == "similar" and body["item_id"] == "RUG1"
    ids = [i["item_id"] for i in body["items"]]
    assert ids and "RUG1" not in ids and "RUG1B" not in ids
    assert all(i["product_type"] == "RUG" and i["source"] == "similar" for i in body["items"])
    assert {"title", "brand", "price", "colors", "image_path", "score"} <= set(body["items"][0])
    r = await client.get("/v1/products/RUG1/similar", params={"price_max": 100})
    assert [i["item_id"] for i in r.json()["items"]] == ["RUG2"]
    r = await client.get("/v1/products/CASE13/complements")
    ids = [i["item_id"] for i in r.json()["items"]]
    assert r.json()["kind"] == "complements" and ids[0] == "SP13" and "SP12" not in ids


async def test_new_session_gets_popular_items_labelled(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/recommendations", params={"session_id": "fresh"})
    body = r.json()
    assert r.status_code == 200 and body["source"] == "popular" and body["kind"] == "for_you"
    assert [i["item_id"] for i in body["items"]][:2] == ["RUG3", "PAD1"]
    assert all(i["source"] == "popular" for i in body["items"])


async def test_model_missing_falls_back_to_similar_items(
    client: httpx.AsyncClient, rec_settings: Settings
) -> None:
    r = await client.post("/v1/events", json={"session_id": "s2", "event": "view", "item_id": "RUG2"})
    assert r.status_code == 202 and r.json()["logged"]
    logged = InteractionLog.in_data_dir(rec_settings.data_dir).read()
    assert logged[-1].session_id == "s2" and logged[-1].item_id == "RUG2" and logged[-1].product_type == "RUG"
    body = (await client.get("/v1/recommendations", params={"session_id": "s2"})).json()
    assert body["source"] == "similar" and body["degraded"] == ["recommender-model-missing"]
    ids = [i["item_id"] for i in body["items"]]
    assert ids and "RUG2" not in ids and all(i["product_type"] == "RUG" for i in body["items"])


async def test_failing_model_degrades(client: httpx.AsyncClient) -> None:
    class Broken:
        version = "9"
        stats = None

        def score(self, rows: Any) -> Any:
            raise RuntimeError("model file corrupt")

    await client.get("/v1/recommendations", params={"session_id": "warm"})  # builds the recommender
    rec = client.app.state.recommender  # type: ignore[attr-defined]
    rec.model = Broken()
    await client.post("/v1/events", json={"session_id": "s3", "event": "view", "item_id": "WATCH1"})
    body = (await client.get("/v1/recommendations", params={"session_id": "s3"})).json()
    assert body["source"] == "similar" and body["degraded"] == ["recommender-model-failed"]


async def test_ranker_serves_session_recommendations(rec_settings: Settings, products) -> None:  # type: ignore[no-untyped-def]
    events = generate_sessions(products, n_sessions=250, weeks=4, seed=5)
    matrix = HashingEmbedder().embed([document_text(x) for x in products])
    result = train_recommender(events, products, matrix, seed=5, num_boost_round=20)
    result.model.meta["version"] = "7"
    async for client in _client(rec_settings, products):
        for item in ("RUG1", "RUG2"):
            await client.post("/v1/events", json={"session_id": "s4", "event": "view", "item_id": item})
        before = (await client.get("/v1/recommendations", params={"session_id": "s4", "k": 5})).json()
        assert before["degraded"] == ["recommender-model-missing"]
        result.model.save(champion_dir(rec_settings.data_dir))  # promoted while the gateway runs
        body = (await client.get("/v1/recommendations", params={"session_id": "s4", "k": 5})).json()
        assert body["source"] == "ranker" and body["model_version"] == "7" and body["degraded"] == []
        ids = [i["item_id"] for i in body["items"]]
        assert ids and not {"RUG1", "RUG2", "RUG1B"} & set(ids)
        fresh = (await client.get("/v1/recommendations", params={"session_id": "nobody"})).json()
        assert fresh["source"] == "popular" and fresh["items"]


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_cache_hit_and_invalidation_on_reingest(
    client: httpx.AsyncClient, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(for_you, "VERSION_TTL_S", 0.0)
    cache = RecommendationCache()
    if backend == "redis":
        cache.redis = fakeredis.FakeAsyncRedis()
    client.app.state.recommendation_cache = cache  # type: ignore[attr-defined]
    first = (await client.get("/v1/products/RUG1/similar")).json()
    second = (await client.get("/v1/products/RUG1/similar")).json()
    assert not first["cached"] and second["cached"] and second["items"] == first["items"]
    if backend == "redis":
        assert await cache.redis.keys("shoptalk:rec:*")
    # re-ingest: a new rug arrives; the catalog version changes, so the cached row is not served
    rec = client.app.state.recommender  # type: ignore[attr-defined]
    new = p(
        "RUG7",
        "Farmhouse Woven Area Rug Grey",
        "RUG",
        110,
        ["grey"],
        "Weaver",
        bullets=["Soft woven area rug for living rooms"],
    )
    rec.index.upsert([new], np.asarray(HashingEmbedder().embed([document_text(new)])))
    third = (await client.get("/v1/products/RUG1/similar")).json()
    assert not third["cached"] and "RUG7" in [i["item_id"] for i in third["items"]]


async def test_chat_turns_feed_the_session_history(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/chat", json={"message": "vintage area rug"})
    assert r.status_code == 200
    session_id = r.json()["session_id"]
    body = (await client.get("/v1/recommendations", params={"session_id": session_id})).json()
    assert body["source"] != "popular"  # the shown items are the history
    assert body["items"] and body["degraded"] == ["recommender-model-missing"]


async def test_history_is_in_time_order_views_after_the_answer_they_follow(client: httpx.AsyncClient) -> None:
    from services.gateway.routes.recommend import _history

    first = (await client.post("/v1/chat", json={"message": "area rug"})).json()
    sid = first["session_id"]
    r = await client.post("/v1/events", json={"session_id": sid, "event": "view", "item_id": "WATCH3"})
    assert r.status_code == 202
    turn = {"message": "a screen protector for iphone 13", "session_id": sid}
    second = (await client.post("/v1/chat", json=turn)).json()
    app = client.app  # type: ignore[attr-defined]
    history = await _history(app.state.orchestrator, app.state.recommendation_cache, sid)
    before = [p["item_id"] for p in first["products"][:3]]
    after = [p["item_id"] for p in second["products"][:3] if p["item_id"] not in before]
    assert before and after and "WATCH3" in history
    viewed = history.index("WATCH3")
    assert max(history.index(i) for i in before) < viewed < min(history.index(i) for i in after)
    assert await app.state.recommendation_cache.views(sid) == ["WATCH3"]  # plain ids for other readers
