"""The session-store outage buffer: turns during an outage are kept and written back, merged behind
what the store had, and each buffered save still reports the outage to the caller."""

from __future__ import annotations

from typing import Any

import pytest

from services.gateway.session_buffer import BufferedSessionStore, SessionBuffered
from services.gateway.sessions import MemorySessionStore, Session, Turn


class FlakyStore(MemorySessionStore):
    """A memory store that can be switched off (every call raises, ping says no)."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise ConnectionError("store down")

    async def get(self, session_id: str) -> Session | None:
        self._check()
        return await super().get(session_id)

    async def save(self, session: Session) -> None:
        self._check()
        await super().save(session)

    async def ping(self) -> bool:
        return not self.down


def turn(text: str) -> Turn:
    return Turn(message=text, query=text)


async def add_turn(store: Any, session_id: str, text: str) -> None:
    try:
        session = await store.get(session_id) or Session(session_id=session_id)
    except Exception:
        session = Session(session_id=session_id)  # the orchestrator starts blank on a failed load
    session.add(turn(text), max_turns=10)
    await store.save(session)


async def test_turns_before_and_during_an_outage_all_reach_the_store() -> None:
    inner = FlakyStore()
    store = BufferedSessionStore(inner, max_turns=10, flush_interval_s=0.01)
    await add_turn(store, "a", "one")
    await add_turn(store, "a", "two")
    inner.down = True
    with pytest.raises(SessionBuffered):
        await add_turn(store, "a", "three")  # answered from the remembered copy, kept in process
    with pytest.raises(SessionBuffered):
        await add_turn(store, "a", "four")
    assert store.pending == 1
    inner.down = False
    assert await store.flush()
    stored = await inner.get("a")
    assert stored is not None
    assert [t.message for t in stored.turns] == ["one", "two", "three", "four"]
    assert store.pending == 0


async def test_a_session_started_blank_in_the_outage_is_merged_behind_the_stored_turns() -> None:
    inner = FlakyStore()
    await add_turn(inner, "b", "before")  # written by another process: this one never saw it
    store = BufferedSessionStore(inner, max_turns=10, flush_interval_s=0.01)
    inner.down = True
    with pytest.raises(SessionBuffered):
        await add_turn(store, "b", "during")
    inner.down = False
    await add_turn(store, "b", "after")  # still pending: written back in order first
    stored = await inner.get("b")
    assert stored is not None
    assert [t.message for t in stored.turns] == ["before", "during", "after"]


async def test_the_background_flush_writes_back_without_another_turn() -> None:
    import asyncio

    inner = FlakyStore()
    store = BufferedSessionStore(inner, max_turns=10, flush_interval_s=0.01)
    inner.down = True
    with pytest.raises(SessionBuffered):
        await add_turn(store, "c", "only")
    inner.down = False
    for _ in range(100):
        if store.pending == 0:
            break
        await asyncio.sleep(0.01)
    stored = await inner.get("c")
    assert stored is not None and [t.message for t in stored.turns] == ["only"]
    await store.aclose()
