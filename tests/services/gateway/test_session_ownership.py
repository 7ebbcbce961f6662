"""Sessions belong to their shopper (issue 14, item 3): ids are server-signed, a foreign or forged id
starts a NEW session (never another shopper's history), and concurrent turns on one session both
land in its history (per-session turn lock, in memory and in Redis)."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import fakeredis
import httpx
import pytest

from ml.config import Settings
from services.gateway.app import create_app
from services.gateway.sessions import (
    MemorySessionStore,
    RedisSessionStore,
    SessionIds,
    build_session_store,
    session_secret,
)
from tests.fakes.catalog import build_test_searcher


async def _chat(client: httpx.AsyncClient, message: str, session_id: str | None = None) -> dict:
    body: dict = {"message": message}
    if session_id:
        body["session_id"] = session_id
    r = await client.post("/v1/chat", json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_ids_are_signed_and_checked() -> None:
    ids = SessionIds(b"k" * 32)
    sid = ids.new()
    assert ids.valid(sid) and len(sid) <= 64
    assert not ids.valid(sid[:-1] + ("0" if sid[-1] != "0" else "1"))
    assert not SessionIds(b"other" * 8).valid(sid)  # another deployment's secret
    for chosen in ("alice", "abc", "0" * 24 + "-" + "0" * 32, "", None):
        assert not ids.valid(chosen)


def test_local_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = session_secret(settings)
    assert session_secret(settings) == first and len(first) == 32
    path = tmp_path / "session-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    sid = build_session_store(settings).ids.new()
    assert build_session_store(settings).ids.valid(sid)  # a restart keeps issued ids valid
    configured = Settings(data_dir=tmp_path, session_secret="x" * 32)
    assert session_secret(configured) == b"x" * 32


@pytest.fixture(autouse=True)
def _no_intent_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The policy's rules suffice here: skip loading (or bootstrapping) the intent model."""
    monkeypatch.setattr(
        "services.gateway.understanding.load_intent_model", lambda *_a, **_k: None, raising=False
    )


@pytest.fixture
async def gateway(tmp_path: Path):  # type: ignore[no-untyped-def]
    stores: dict[str, object] = {}

    async def make(store: object | None = None) -> httpx.AsyncClient:
        app = create_app(Settings(data_dir=tmp_path / "data"), searcher=build_test_searcher(), sessions=store)  # type: ignore[arg-type]
        stores["app"] = app
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g")

    return make


async def test_a_guessed_or_forged_id_gets_a_new_session_not_the_victims(gateway) -> None:  # type: ignore[no-untyped-def]
    async with await gateway() as client:
        victim = await _chat(client, "hiking boots")
        vid = victim["session_id"]
        forged = vid[:-1] + ("0" if vid[-1] != "0" else "1")
        for attempt in ("alice", forged):
            other = await _chat(client, "in black?", attempt)
            assert other["session_id"] not in (attempt, vid)
            assert other["intent"] != "refine" and other["query"] != victim["query"] + " black"
            store = client._transport.app.state.orchestrator.sessions  # type: ignore[attr-defined]
            assert store.ids.valid(other["session_id"])  # the web client stores this one
        victim_session = await store.get(vid)
        assert [t.message for t in victim_session.turns] == ["hiking boots"]  # untouched
        follow = await _chat(client, "in black?", vid)  # the real owner continues
        assert follow["session_id"] == vid and follow["filters"]["colors"] == ["black"]


async def _two_concurrent_turns(client: httpx.AsyncClient, store: object) -> list[str]:
    first = await _chat(client, "hiking boots")
    sid = first["session_id"]
    await asyncio.gather(_chat(client, "in black?", sid), _chat(client, "under $100", sid))
    session = await store.get(sid)  # type: ignore[attr-defined]
    return [t.message for t in session.turns]


async def test_concurrent_turns_on_one_session_both_land_in_memory(gateway) -> None:  # type: ignore[no-untyped-def]
    store = MemorySessionStore()
    async with await gateway(store) as client:
        messages = await _two_concurrent_turns(client, store)
    assert messages[0] == "hiking boots"
    assert sorted(messages[1:]) == ["in black?", "under $100"]
    assert not store._turn_locks  # locks are freed after the turns


async def test_concurrent_turns_on_one_session_both_land_in_redis(gateway) -> None:  # type: ignore[no-untyped-def]
    store = RedisSessionStore(fakeredis.FakeAsyncRedis(), ttl_s=60)
    async with await gateway(store) as client:
        messages = await _two_concurrent_turns(client, store)
    assert sorted(messages[1:]) == ["in black?", "under $100"]
    assert not await store.client.keys(store.lock_prefix + "*")  # released


async def test_redis_lock_expires_and_only_the_holder_releases() -> None:
    store = RedisSessionStore(fakeredis.FakeAsyncRedis(), ttl_s=60)
    async with store.lock("s", timeout_s=0.2) as held:
        assert held
        async with store.lock("s", timeout_s=0.05) as second:
            assert not second  # timed out waiting: the turn goes ahead, logged
    async with store.lock("s", timeout_s=0.2) as again:
        assert again


async def test_streamed_turns_are_serialised_too(gateway) -> None:  # type: ignore[no-untyped-def]
    store = MemorySessionStore()
    async with await gateway(store) as client:
        sid = (await _chat(client, "hiking boots"))["session_id"]

        async def stream(message: str) -> None:
            r = await client.post("/v1/chat", json={"message": message, "session_id": sid, "stream": True})
            assert r.status_code == 200 and "event: done" in r.text

        await asyncio.gather(stream("in black?"), stream("under $100"))
    session = await store.get(sid)
    assert sorted(t.message for t in session.turns[1:]) == ["in black?", "under $100"]
