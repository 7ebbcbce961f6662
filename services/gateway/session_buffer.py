"""Sessions survive a session-store outage: turns are kept in the process and written back later.

:class:`BufferedSessionStore` wraps a remote store (Redis). While the store answers it is a
pass-through that also remembers the last copy of each session it read or wrote (bounded LRU).
When the store fails:

- ``get`` answers from the turns buffered during the outage, else from the remembered copy, else
  raises (the caller starts the turn on a blank session, which is marked *partial*);
- ``save`` keeps the session in the buffer and raises :class:`SessionBuffered`, so the caller
  still marks the answer degraded (``session-store-unavailable``);
- a background task pings the store every ``flush_interval_s`` and writes the buffer back when it
  returns; a partial session is merged behind the turns the store already had, so neither the
  turns before the outage nor those during it are lost.

Each gateway process buffers its own turns: with several workers a shopper's turns during an
outage may sit in two buffers; both are merged into the store on its return (turns are appended,
not overwritten, for partial sessions).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from typing import Any

from ml.logging import get_logger
from services.gateway.sessions import Session, SessionIds, SessionStore

log = get_logger(__name__)


class SessionBuffered(RuntimeError):
    """The store is down; the session is kept in this process until it returns."""


class BufferedSessionStore:
    def __init__(
        self,
        inner: SessionStore,
        max_turns: int = 10,
        remember: int = 5000,
        flush_interval_s: float = 0.5,
    ) -> None:
        self.inner = inner
        self.ids: SessionIds = inner.ids
        self.max_turns = max_turns
        self.remember = remember
        self.flush_interval_s = flush_interval_s
        self._recent: OrderedDict[str, str] = OrderedDict()  # id -> JSON of the last copy seen
        self._pending: dict[str, Session] = {}  # written during an outage, not yet in the store
        self._partial: set[str] = set()  # started blank because the store could not be read
        self._flusher: asyncio.Task[None] | None = None

    # -------------------------------------------------------------- the SessionStore protocol
    def lock(self, session_id: str, timeout_s: float = 30.0) -> Any:
        return self.inner.lock(session_id, timeout_s)

    async def get(self, session_id: str) -> Session | None:
        if session_id in self._pending:  # newer than anything the store has
            return self._pending[session_id].model_copy(deep=True)
        try:
            found = await self.inner.get(session_id)
        except Exception:
            remembered = self._recent.get(session_id)
            if remembered is not None:
                return Session.model_validate_json(remembered)
            self._partial.add(session_id)
            raise
        if found is not None:
            self._remember(found)
        return found

    async def save(self, session: Session) -> None:
        session_id = session.session_id
        if session_id not in self._pending:
            try:
                if session_id in self._partial:  # started blank while the store was down
                    session = _merge(await self.inner.get(session_id), session, self.max_turns)
                await self.inner.save(session)
            except Exception as exc:
                self._buffer(session)
                raise SessionBuffered(f"session store unavailable ({exc}); turn kept in process") from exc
            self._partial.discard(session_id)
            self._remember(session)
            return
        self._buffer(session)  # keep turn order: this id is already waiting to be written back
        if not await self.flush():
            raise SessionBuffered("session store unavailable; turn kept in process")

    async def delete(self, session_id: str) -> None:
        self._pending.pop(session_id, None)
        self._partial.discard(session_id)
        self._recent.pop(session_id, None)
        await self.inner.delete(session_id)

    async def ping(self) -> bool:
        return await self.inner.ping()

    async def aclose(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._flusher
        with contextlib.suppress(Exception):
            await self.flush()
        if self._pending:
            log.warning("session.buffer_dropped_at_shutdown", sessions=len(self._pending))
        await self.inner.aclose()

    # -------------------------------------------------------------- buffer and write-back
    @property
    def pending(self) -> int:
        return len(self._pending)

    def _remember(self, session: Session) -> None:
        self._recent[session.session_id] = session.model_dump_json()
        self._recent.move_to_end(session.session_id)
        while len(self._recent) > self.remember:
            self._recent.popitem(last=False)

    def _buffer(self, session: Session) -> None:
        first = not self._pending
        self._pending[session.session_id] = session.model_copy(deep=True)
        self._remember(session)
        if first:
            log.warning("session.buffering", reason="session-store-unavailable")
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_loop())

    async def _flush_loop(self) -> None:
        while self._pending:
            await asyncio.sleep(self.flush_interval_s)
            with contextlib.suppress(Exception):
                await self.flush()

    async def flush(self) -> bool:
        """Write the buffered sessions back; ``True`` when nothing is left waiting."""
        if not self._pending:
            return True
        if not await self.inner.ping():
            return False
        written = 0
        for session_id in list(self._pending):
            session = original = self._pending[session_id]
            try:
                if session_id in self._partial:
                    session = _merge(await self.inner.get(session_id), session, self.max_turns)
                await self.inner.save(session)
            except Exception as exc:
                log.warning("session.flush_failed", error=str(exc)[:200])
                return False
            if self._pending.get(session_id) is original:  # no newer turn buffered meanwhile
                self._pending.pop(session_id, None)
                self._partial.discard(session_id)
                self._remember(session)
                written += 1
        log.info("session.buffer_flushed", sessions=written)
        return not self._pending


def _merge(stored: Session | None, buffered: Session, max_turns: int) -> Session:
    """A session started blank during the outage goes behind what the store already had."""
    if stored is None:
        return buffered
    merged = buffered.model_copy(deep=True)
    merged.turns = [*stored.turns, *buffered.turns][-max_turns:]
    return merged
