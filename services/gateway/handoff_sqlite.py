"""The default handoff store: one SQLite file (WAL, ``synchronous=FULL``), called off the event loop.

One connection per store, used under a lock from worker threads (``asyncio.to_thread``); writes run
in ``BEGIN IMMEDIATE`` transactions and are committed before a call returns. Other processes may
open the same file (WAL readers never block the writer; ``busy_timeout`` waits for a writer).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from ml.logging import get_logger
from services.gateway.handoff import (
    CLOSED_NOTICE,
    Handoff,
    HandoffClosed,
    HandoffMessage,
    HandoffNotFound,
    ShownProduct,
    StatusFilter,
    TranscriptEntry,
    check_reason,
    check_role,
    clean_text,
    entries,
    joined_notice,
    new_handoff_id,
    products_from_json,
    products_json,
    statuses,
)

log = get_logger(__name__)
T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS handoffs (
    handoff_id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'assigned', 'closed')),
    reason TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    agent TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS handoffs_one_active ON handoffs (session_id) WHERE status <> 'closed';
CREATE INDEX IF NOT EXISTS handoffs_by_status ON handoffs (status, updated_at);
CREATE TABLE IF NOT EXISTS handoff_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    handoff_id TEXT NOT NULL REFERENCES handoffs (handoff_id),
    session_id TEXT NOT NULL,
    role TEXT NOT NULL,
    text TEXT NOT NULL,
    author TEXT,
    products TEXT,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS handoff_messages_by_handoff ON handoff_messages (handoff_id, seq);
CREATE INDEX IF NOT EXISTS handoff_messages_by_session ON handoff_messages (session_id, seq);
"""

_HANDOFF_COLUMNS = (
    "h.handoff_id, h.session_id, h.status, h.reason, h.summary, h.agent, h.created_at, h.updated_at, "
    "(SELECT COUNT(*) FROM handoff_messages m WHERE m.handoff_id = h.handoff_id), "
    "(SELECT m.text FROM handoff_messages m WHERE m.handoff_id = h.handoff_id ORDER BY m.seq DESC LIMIT 1)"
)
_MESSAGE_COLUMNS = "seq, handoff_id, session_id, role, text, created_at, products, author"


def _handoff(row: Sequence[Any]) -> Handoff:
    return Handoff(
        handoff_id=row[0],
        session_id=row[1],
        status=row[2],
        reason=row[3],
        summary=row[4],
        agent=row[5],
        created_at=row[6],
        updated_at=row[7],
        message_count=row[8] or 0,
        last_message=row[9],
    )


def _message(row: Sequence[Any]) -> HandoffMessage:
    return HandoffMessage(
        seq=row[0],
        handoff_id=row[1],
        session_id=row[2],
        role=row[3],
        text=row[4],
        time=row[5],
        products=products_from_json(row[6]),
        author=row[7],
    )


class SQLiteHandoffStore:
    def __init__(self, path: str | Path, busy_timeout_ms: int = 10_000) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ plumbing
    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.executescript(SCHEMA)
            self._conn = conn
            log.info("handoff.store_opened", backend="sqlite", path=str(self.path))
        return self._conn

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``: the write lock up front), committed on exit."""
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    async def _run(self, fn: Callable[[], T]) -> T:
        def locked() -> T:
            with self._lock:
                return fn()

        return await asyncio.to_thread(locked)

    def _get_row(self, conn: sqlite3.Connection, handoff_id: str) -> Handoff | None:
        row = conn.execute(
            f"SELECT {_HANDOFF_COLUMNS} FROM handoffs h WHERE h.handoff_id = ?", (handoff_id,)
        ).fetchone()
        return _handoff(row) if row else None

    def _active_row(self, conn: sqlite3.Connection, session_id: str) -> Handoff | None:
        row = conn.execute(
            f"SELECT {_HANDOFF_COLUMNS} FROM handoffs h WHERE h.session_id = ? AND h.status <> 'closed'",
            (session_id,),
        ).fetchone()
        return _handoff(row) if row else None

    @staticmethod
    def _insert_message(
        conn: sqlite3.Connection,
        handoff_id: str,
        session_id: str,
        role: str,
        text: str,
        at: float,
        author: str | None = None,
        products: str | None = None,
    ) -> int:
        cursor = conn.execute(
            "INSERT INTO handoff_messages (handoff_id, session_id, role, text, author, products, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (handoff_id, session_id, role, text, author, products, at),
        )
        return int(cursor.lastrowid or 0)

    # ------------------------------------------------------------------ API
    async def open(
        self,
        session_id: str,
        reason: str,
        transcript: Sequence[TranscriptEntry | dict[str, Any]] = (),
        summary: str = "",
    ) -> Handoff:
        check_reason(reason)
        lines = entries(transcript)
        summary = clean_text(summary)

        def work() -> Handoff:
            with self._tx() as conn:
                existing = self._active_row(conn, session_id)
                if existing is not None:
                    return existing
                handoff_id, now = new_handoff_id(), time.time()
                conn.execute(
                    "INSERT INTO handoffs (handoff_id, session_id, status, reason, summary, agent, "
                    "created_at, updated_at) VALUES (?, ?, 'open', ?, ?, NULL, ?, ?)",
                    (handoff_id, session_id, reason, summary, now, now),
                )
                for line in lines:
                    self._insert_message(
                        conn,
                        handoff_id,
                        session_id,
                        line.role,
                        line.text,
                        line.time,
                        products=products_json(line.products),
                    )
                created = self._get_row(conn, handoff_id)
            assert created is not None
            log.info("handoff.opened", handoff_id=handoff_id, reason=reason, messages=len(lines))
            return created

        return await self._run(work)

    async def get(self, handoff_id: str) -> Handoff | None:
        def work() -> Handoff | None:
            conn = self._connect()
            handoff = self._get_row(conn, handoff_id)
            if handoff is None:
                return None
            rows = conn.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM handoff_messages WHERE handoff_id = ? ORDER BY seq",
                (handoff_id,),
            ).fetchall()
            handoff.transcript = [_message(r) for r in rows]
            return handoff

        return await self._run(work)

    async def list_handoffs(self, status: StatusFilter = "active", limit: int = 100) -> list[Handoff]:
        wanted = statuses(status)
        marks = ", ".join("?" for _ in wanted)
        order = "h.updated_at DESC" if status in ("closed", "all") else "h.created_at ASC"

        def work() -> list[Handoff]:
            rows = (
                self._connect()
                .execute(
                    f"SELECT {_HANDOFF_COLUMNS} FROM handoffs h WHERE h.status IN ({marks}) "
                    f"ORDER BY {order} LIMIT ?",
                    (*wanted, int(limit)),
                )
                .fetchall()
            )
            return [_handoff(r) for r in rows]

        return await self._run(work)

    async def get_open_for_session(self, session_id: str) -> Handoff | None:
        return await self._run(lambda: self._active_row(self._connect(), session_id))

    async def add_message(
        self,
        handoff_id: str,
        role: str,
        text: str,
        *,
        author: str | None = None,
        products: Sequence[ShownProduct | dict[str, Any]] = (),
    ) -> HandoffMessage:
        checked = check_role(role)
        shown = products_json(products)
        text, author = clean_text(text), clean_text(author) or None

        def work() -> HandoffMessage:
            with self._tx() as conn:
                row = conn.execute(
                    "SELECT session_id, status FROM handoffs WHERE handoff_id = ?", (handoff_id,)
                ).fetchone()
                if row is None:
                    raise HandoffNotFound(handoff_id)
                session_id, status = row
                if status == "closed" and checked != "system":
                    raise HandoffClosed(handoff_id, f"add a {checked} message")
                now = time.time()
                seq = self._insert_message(conn, handoff_id, session_id, checked, text, now, author, shown)
                conn.execute("UPDATE handoffs SET updated_at = ? WHERE handoff_id = ?", (now, handoff_id))
            return HandoffMessage(
                seq=seq,
                handoff_id=handoff_id,
                session_id=session_id,
                role=checked,
                text=text,
                time=now,
                products=products_from_json(shown),
                author=author,
            )

        return await self._run(work)

    async def pending_for_shopper(self, session_id: str, after: int = 0) -> list[HandoffMessage]:
        def work() -> list[HandoffMessage]:
            rows = (
                self._connect()
                .execute(
                    f"SELECT {_MESSAGE_COLUMNS} FROM handoff_messages WHERE session_id = ? AND seq > ? "
                    "AND role IN ('agent', 'system') ORDER BY seq",
                    (session_id, int(after)),
                )
                .fetchall()
            )
            return [_message(r) for r in rows]

        return await self._run(work)

    def _transition(self, handoff_id: str, status: str, agent: str | None, notice: str | None) -> Handoff:
        with self._tx() as conn:
            current = self._get_row(conn, handoff_id)
            if current is None:
                raise HandoffNotFound(handoff_id)
            if current.status == "closed":
                if status == "closed":
                    return current  # closing twice is a no-op
                raise HandoffClosed(handoff_id, "assign it")
            now = time.time()
            conn.execute(
                "UPDATE handoffs SET status = ?, agent = COALESCE(?, agent), updated_at = ? "
                "WHERE handoff_id = ?",
                (status, agent, now, handoff_id),
            )
            if notice and not (status == "assigned" and current.agent == agent):
                self._insert_message(conn, handoff_id, current.session_id, "system", notice, now)
            updated = self._get_row(conn, handoff_id)
        assert updated is not None
        log.info("handoff.status", handoff_id=handoff_id, status=status)
        return updated

    async def assign(self, handoff_id: str, agent: str) -> Handoff:
        agent = clean_text(agent) or "Agent"
        return await self._run(lambda: self._transition(handoff_id, "assigned", agent, joined_notice(agent)))

    async def close(self, handoff_id: str, agent: str | None = None) -> Handoff:
        return await self._run(lambda: self._transition(handoff_id, "closed", agent, CLOSED_NOTICE))

    async def set_summary(self, handoff_id: str, summary: str) -> None:
        summary = clean_text(summary)

        def work() -> None:
            with self._tx() as conn:
                updated = conn.execute(
                    "UPDATE handoffs SET summary = ? WHERE handoff_id = ?", (summary, handoff_id)
                ).rowcount
            if not updated:
                raise HandoffNotFound(handoff_id)

        await self._run(work)

    async def ping(self) -> bool:
        try:
            return await self._run(lambda: self._connect().execute("SELECT 1").fetchone() == (1,))
        except Exception as exc:
            log.warning("handoff.ping_failed", error=str(exc))
            return False

    async def aclose(self) -> None:
        def work() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        await self._run(work)
