"""Multi-turn through the dialogue policy: refinements change only what changed, sessions bounded."""

from __future__ import annotations

import statistics

import fakeredis
import httpx
import pytest

from ml.config import Settings
from services.gateway.app import create_app
from services.gateway.session_buffer import BufferedSessionStore
from services.gateway.sessions import (
    MemorySessionStore,
    RedisSessionStore,
    Session,
    Turn,
    build_session_store,
)
from tests.fakes.catalog import build_test_searcher


async def chat(client: httpx.AsyncClient, message: str, session_id: str | None = None, **extra) -> dict:  # type: ignore[no-untyped-def]
    body = {"message": message, **extra}
    if session_id:
        body["session_id"] = session_id
    r = await client.post("/v1/chat", json=body)
    assert r.status_code == 200, r.text
    return r.json()


async def test_follow_up_conversation_offline(client: httpx.AsyncClient) -> None:
    first = await chat(client, "hiking boots")
    sid = first["session_id"]
    prices = [p["price"] for p in first["products"]]
    assert len(prices) >= 3

    cheaper = await chat(client, "cheaper ones?", sid)
    assert cheaper["session_id"] == sid and cheaper["intent"] == "refine"
    assert cheaper["query"] == first["query"]  # rebuilt from the state: no "cheaper" piled on
    assert cheaper["filters"]["price_max"] < statistics.median(prices)
    assert cheaper["products"] and all(p["price"] < statistics.median(prices) for p in cheaper["products"])

    black = await chat(client, "in black?", sid)
    assert black["filters"]["colors"] == ["black"]
    assert black["filters"]["price_max"] == cheaper["filters"]["price_max"]  # carried forward
    assert all("black" in p["colors"] for p in black["products"])

    under = await chat(client, "under $100", sid)
    assert under["filters"]["price_max"] == 100 and under["filters"]["colors"] == ["black"]
    assert under["products"] and all(p["price"] <= 100 for p in under["products"])

    second_id = under["products"][1]["item_id"]
    about = await chat(client, "the second one — is it waterproof?", sid)
    assert about["products"][0]["item_id"] == second_id
    assert "you asked about it" in about["products"][0]["why"]
    assert f"[{second_id}]" in about["answer"] and "waterproof" in about["answer"]

    assert about["intent"] == "ask_about" and about["query"] == ""  # a question searches nothing
    first_id = under["products"][0]["item_id"]  # "the first" still means the first result shown
    more = await chat(client, "show me more like the first", sid)
    assert first_id not in [p["item_id"] for p in more["products"]]
    assert more["products"] and all(p["product_type"] == "BOOT" for p in more["products"])

    # a new topic resets the carried filters
    new = await chat(client, "phone case for iphone 13", sid)
    assert new["filters"]["colors"] == [] and new["filters"]["price_max"] is None
    assert new["products"][0]["product_type"] == "CELLULAR_PHONE_CASE"


async def test_about_answer_says_when_listing_does_not_mention_feature(client: httpx.AsyncClient) -> None:
    first = await chat(client, "lightweight canyon hiking boots")
    assert first["products"][0]["item_id"] == "B0BOOT0003"
    about = await chat(client, "is the first one waterproof?", first["session_id"])
    assert about["products"][0]["item_id"] == "B0BOOT0003"
    assert "doesn't say" in about["answer"] and "waterproof" in about["answer"]


async def test_start_over_forgets_the_session(client: httpx.AsyncClient) -> None:
    first = await chat(client, "hiking boots", filters={"price_max": 100})
    sid = first["session_id"]
    assert (await client.delete(f"/v1/sessions/{sid}")).status_code == 204
    again = await chat(client, "cheaper ones?", sid)
    assert again["query"] == "cheaper ones?"  # no history to rewrite against


async def test_history_is_bounded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(Settings(data_dir=tmp_path, session_max_turns=3), searcher=build_test_searcher())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g") as c:
        sid = (await chat(c, "hiking boots"))["session_id"]
        for message in ("cheaper ones?", "in black?", "under $150", "over $10"):
            await chat(c, message, sid)
        session = await app.state.orchestrator.sessions.get(sid)
        assert [t.message for t in session.turns] == ["in black?", "under $150", "over $10"]


async def test_memory_store_ttl_and_capacity() -> None:
    store = MemorySessionStore(ttl_s=0.05, max_sessions=2)
    await store.save(Session(session_id="a"))
    assert (await store.get("a")) is not None
    import asyncio

    await asyncio.sleep(0.08)
    assert (await store.get("a")) is None
    for sid in ("x", "y", "z"):
        await store.save(Session(session_id=sid))
    assert len(store) == 2 and (await store.get("x")) is None


@pytest.fixture
def redis_store() -> RedisSessionStore:
    return RedisSessionStore(fakeredis.FakeAsyncRedis(), ttl_s=60)


async def test_redis_store_round_trip_and_ttl(redis_store: RedisSessionStore) -> None:
    session = Session(session_id="abc")
    session.add(Turn(message="boots", query="boots", product_ids=["B1"]), max_turns=5)
    await redis_store.save(session)
    loaded = await redis_store.get("abc")
    assert loaded is not None and loaded.turns[0].product_ids == ["B1"]
    assert 0 < await redis_store.client.ttl("shoptalk:session:abc") <= 60
    assert await redis_store.ping()
    await redis_store.delete("abc")
    assert await redis_store.get("abc") is None


async def test_gateway_conversation_over_redis_store(tmp_path, redis_store: RedisSessionStore) -> None:  # type: ignore[no-untyped-def]
    app = create_app(Settings(data_dir=tmp_path), searcher=build_test_searcher(), sessions=redis_store)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g") as c:
        first = await chat(c, "hiking boots")
        follow = await chat(c, "in black?", first["session_id"])
        assert follow["query"] == first["query"] and follow["filters"]["colors"] == ["black"]
        assert await redis_store.client.exists("shoptalk:session:" + first["session_id"])


def test_store_factory_picks_redis_by_url(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(build_session_store(Settings(data_dir=tmp_path)), MemorySessionStore)
    store = build_session_store(
        Settings(data_dir=tmp_path, redis_url="redis://127.0.0.1:1/0", session_ttl_s=42)
    )
    assert isinstance(store, BufferedSessionStore)  # Redis behind an outage buffer
    assert isinstance(store.inner, RedisSessionStore) and store.inner.ttl_s == 42


async def test_dead_session_store_does_not_fail_the_turn(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = RedisSessionStore.from_url("redis://127.0.0.1:1/0")  # nothing listens on port 1
    app = create_app(Settings(data_dir=tmp_path), searcher=build_test_searcher(), sessions=store)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g") as c:
        body = await chat(c, "hiking boots", "some-session")
        assert body["products"] and "session-store-unavailable" in body["degraded"]
        r = await c.get("/readyz")
        assert r.status_code == 503 and r.json()["checks"]["sessions"] is False
