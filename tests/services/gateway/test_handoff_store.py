"""One behavioural suite for every handoff store: SQLite (default) and a real PostgreSQL server."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from ml.config import Settings
from services.gateway.handoff import (
    HandoffClosed,
    HandoffNotFound,
    HandoffStore,
    TranscriptEntry,
    build_handoff_store,
)
from services.gateway.handoff_postgres import PostgresHandoffStore, asyncpg_dsn
from services.gateway.handoff_sqlite import SQLiteHandoffStore
from tests.servers.postgres import PostgresServer, postgres_server  # noqa: F401  (fixture)

TRANSCRIPT = [
    TranscriptEntry(role="shopper", text="a grey sofa under $700", time=1000.0),
    TranscriptEntry(
        role="assistant",
        text="Here are two grey sofas.",
        time=1001.0,
        products=[{"item_id": "B01", "title": "Rivet Sloane Sofa", "price": 649.0}],
    ),
    TranscriptEntry(role="shopper", text="I want to talk to a real person", time=1002.0),
]


@pytest.fixture(params=["sqlite", "postgres"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], HandoffStore]:
    """A factory of stores on ONE database, so a test can close a store and open another on it."""
    if request.param == "sqlite":
        path = tmp_path / "handoffs.db"
        return lambda: SQLiteHandoffStore(path)
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    return lambda: PostgresHandoffStore(url)


@pytest.fixture
async def store(make_store: Callable[[], HandoffStore]) -> AsyncIterator[HandoffStore]:
    s = make_store()
    yield s
    await s.aclose()


async def test_open_keeps_transcript_summary_and_order(store: HandoffStore) -> None:
    h = await store.open("sess1", "asked", TRANSCRIPT, "Wants a grey sofa under $700.")
    assert h.status == "open" and h.reason == "asked" and h.session_id == "sess1"
    assert h.summary == "Wants a grey sofa under $700."
    assert h.message_count == 3 and h.last_message == "I want to talk to a real person"
    full = await store.get(h.handoff_id)
    assert full is not None
    assert [(m.role, m.text) for m in full.transcript] == [(e.role, e.text) for e in TRANSCRIPT]
    assert [m.time for m in full.transcript] == [1000.0, 1001.0, 1002.0]
    assert full.transcript[1].products[0].title == "Rivet Sloane Sofa"
    assert full.transcript[1].products[0].price == 649.0
    seqs = [m.seq for m in full.transcript]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3


async def test_one_active_handoff_per_session(store: HandoffStore) -> None:
    first = await store.open("sess1", "asked", TRANSCRIPT)
    again = await store.open("sess1", "frustration", [{"role": "shopper", "text": "hello??"}])
    assert again.handoff_id == first.handoff_id and again.reason == "asked"
    assert (await store.get_open_for_session("sess1")).handoff_id == first.handoff_id  # type: ignore[union-attr]
    assert await store.get_open_for_session("other") is None
    await store.close(first.handoff_id)
    assert await store.get_open_for_session("sess1") is None
    second = await store.open("sess1", "service")
    assert second.handoff_id != first.handoff_id and second.status == "open"


async def test_status_transitions(store: HandoffStore) -> None:
    h = await store.open("sess1", "service", TRANSCRIPT)
    assigned = await store.assign(h.handoff_id, "Sam")
    assert assigned.status == "assigned" and assigned.agent == "Sam"
    assert assigned.updated_at >= h.updated_at
    assert [x.handoff_id for x in await store.list_handoffs("assigned")] == [h.handoff_id]
    assert await store.list_handoffs("open") == []
    assert [x.handoff_id for x in await store.list_handoffs("active")] == [h.handoff_id]
    closed = await store.close(h.handoff_id, "Sam")
    assert closed.status == "closed"
    assert (await store.close(h.handoff_id)).status == "closed"  # idempotent
    with pytest.raises(HandoffClosed):
        await store.assign(h.handoff_id, "Kim")
    with pytest.raises(HandoffClosed):
        await store.add_message(h.handoff_id, "agent", "are you there?")
    assert await store.list_handoffs("active") == []
    assert [x.handoff_id for x in await store.list_handoffs("closed")] == [h.handoff_id]
    with pytest.raises(HandoffNotFound):
        await store.assign("h_missing", "Sam")
    with pytest.raises(HandoffNotFound):
        await store.add_message("h_missing", "agent", "hi")
    assert await store.get("h_missing") is None
    with pytest.raises(ValueError):
        await store.open("sess2", "because")
    with pytest.raises(ValueError):
        await store.add_message(h.handoff_id, "robot", "hi")


async def test_agent_replies_reach_the_shopper_in_order(store: HandoffStore) -> None:
    h = await store.open("sess1", "asked", TRANSCRIPT)
    other = await store.open("sess2", "asked")
    assert await store.pending_for_shopper("sess1") == []
    await store.assign(h.handoff_id, "Sam")
    r1 = await store.add_message(h.handoff_id, "agent", "Hi, I'm Sam. Which sofa?", author="Sam")
    await store.add_message(h.handoff_id, "shopper", "the grey one")
    await store.add_message(other.handoff_id, "agent", "not for sess1")
    r2 = await store.add_message(h.handoff_id, "agent", "It ships in 3 days.", author="Sam")
    pending = await store.pending_for_shopper("sess1")
    assert [m.role for m in pending] == ["system", "agent", "agent"]
    assert "Sam" in pending[0].text
    assert [m.text for m in pending[1:]] == ["Hi, I'm Sam. Which sofa?", "It ships in 3 days."]
    assert pending[1].author == "Sam"
    assert [m.seq for m in pending[1:]] == [r1.seq, r2.seq] and r1.seq < r2.seq
    assert [m.text for m in await store.pending_for_shopper("sess1", after=r1.seq)] == ["It ships in 3 days."]
    assert await store.pending_for_shopper("sess1", after=r2.seq) == []
    await store.close(h.handoff_id)
    tail = await store.pending_for_shopper("sess1", after=r2.seq)
    assert [m.role for m in tail] == ["system"] and "closed" in tail[0].text
    full = await store.get(h.handoff_id)
    assert full is not None
    assert [m.role for m in full.transcript][-5:] == ["system", "agent", "shopper", "agent", "system"]


async def test_durable_across_reopen(make_store: Callable[[], HandoffStore]) -> None:
    first = make_store()
    h = await first.open("sess1", "frustration", TRANSCRIPT, "summary text")
    await first.assign(h.handoff_id, "Sam")
    await first.add_message(h.handoff_id, "agent", "sorry about that", author="Sam")
    await first.set_summary(h.handoff_id, "better summary")
    await first.aclose()

    second = make_store()
    try:
        again = await second.get(h.handoff_id)
        assert again is not None
        assert again.status == "assigned" and again.agent == "Sam" and again.summary == "better summary"
        assert again.transcript[-1].text == "sorry about that"
        assert len(again.transcript) == 5  # 3 + "Sam joined" + the reply
        assert (await second.get_open_for_session("sess1")).handoff_id == h.handoff_id  # type: ignore[union-attr]
        assert await second.ping()
    finally:
        await second.aclose()


async def test_concurrent_writes_lose_nothing(make_store: Callable[[], HandoffStore]) -> None:
    """Two stores (two 'processes') on the same database, 60 concurrent writes: all kept, in order."""
    a, b = make_store(), make_store()
    try:
        h = await a.open("sess1", "asked", TRANSCRIPT)
        opened = await asyncio.gather(*(s.open(f"s{i}", "asked") for i, s in enumerate([a, b] * 5)))
        assert len({o.handoff_id for o in opened}) == 10

        async def write(store: HandoffStore, i: int) -> int:
            role = "agent" if i % 2 else "shopper"
            return (await store.add_message(h.handoff_id, role, f"message {i}")).seq

        seqs = await asyncio.gather(*(write(a if i % 2 else b, i) for i in range(60)))
        assert len(set(seqs)) == 60
        full = await b.get(h.handoff_id)
        assert full is not None
        texts = [m.text for m in full.transcript[3:]]
        assert sorted(texts) == sorted(f"message {i}" for i in range(60))
        stored_seqs = [m.seq for m in full.transcript]
        assert stored_seqs == sorted(stored_seqs)
        pending = await a.pending_for_shopper("sess1")
        assert len(pending) == 30 and all(m.role == "agent" for m in pending)
        # concurrent opens for ONE session still give one handoff
        same = await asyncio.gather(*(s.open("race", "asked") for s in [a, b] * 4))
        assert len({o.handoff_id for o in same}) == 1
    finally:
        await a.aclose()
        await b.aclose()


async def test_listing_orders_oldest_open_first(store: HandoffStore) -> None:
    ids = [(await store.open(f"s{i}", "asked")).handoff_id for i in range(3)]
    assert [h.handoff_id for h in await store.list_handoffs("open")] == ids
    assert [h.handoff_id for h in await store.list_handoffs("open", limit=2)] == ids[:2]
    await store.close(ids[0])
    assert (
        next(h.handoff_id for h in await store.list_handoffs("all")) == ids[0]
    )  # most recently updated first


async def test_sqlite_is_wal_and_file_under_data_dir(tmp_path: Path) -> None:
    store = build_handoff_store(Settings(data_dir=tmp_path / "data"))
    assert isinstance(store, SQLiteHandoffStore)
    h = await store.open("sess1", "asked", TRANSCRIPT)
    assert (tmp_path / "data" / "handoffs.db").exists()
    with sqlite3.connect(tmp_path / "data" / "handoffs.db") as conn:  # another reader sees the commit
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute(
            "SELECT status FROM handoffs WHERE handoff_id = ?", (h.handoff_id,)
        ).fetchone() == ("open",)
    await store.aclose()


def test_postgres_is_chosen_by_url() -> None:
    store = build_handoff_store(Settings(handoff_db_url="postgresql+asyncpg://u:secret@db:5432/shoptalk"))
    assert isinstance(store, PostgresHandoffStore)
    assert "secret" not in repr(store)
    assert asyncpg_dsn("postgresql+psycopg://u@h/d") == "postgresql://u@h/d"
    assert asyncpg_dsn("postgres://u@h/d") == "postgres://u@h/d"


async def test_postgres_outage_is_reported_not_hung() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = PostgresHandoffStore(f"postgresql://nobody@127.0.0.1:{port}/x", timeout_s=1.0)
    assert await store.ping() is False
    with pytest.raises(OSError):
        await store.open("sess1", "asked")


async def test_any_text_is_stored(store: HandoffStore) -> None:
    """NUL bytes (PostgreSQL refuses them) and lone surrogates never turn a write into an error."""
    h = await store.open("sess1", "asked", [{"role": "shopper", "text": "nul\x00here"}], "sum\x00mary")
    m = await store.add_message(h.handoff_id, "agent", "bad \ud800 surrogate, emoji 🛋️, ü", author="S\x00am")
    full = await store.get(h.handoff_id)
    assert full is not None
    assert full.summary == "summary" and full.transcript[0].text == "nulhere"
    assert full.transcript[1].text == m.text and "🛋️, ü" in m.text and m.author == "Sam"
