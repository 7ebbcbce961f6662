"""The one SQL handoff store: every query and rule, written once for SQLite and PostgreSQL.

A backend supplies a :class:`Dialect` (the few words its SQL spells differently) and two async
context managers: ``_connection()`` for reads and ``_transaction()`` for one committed write
transaction, each yielding a :class:`SQLConnection`. Queries use PostgreSQL's numbered ``$1``
placeholders; the SQLite connection rewrites them to SQLite's ``?1``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

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


@dataclass(frozen=True)
class Dialect:
    """What differs between the backends' SQL: column types and row locking."""

    name: str
    time_type: str  # a float column of Unix seconds
    seq_column: str  # the increasing message number, assigned by the database
    lock_row: str = ""  # appended to a SELECT that must lock the row for the transaction

    def schema(self) -> str:
        return f"""
CREATE TABLE IF NOT EXISTS handoffs (
    handoff_id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'assigned', 'closed')),
    reason TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    agent TEXT,
    created_at {self.time_type} NOT NULL,
    updated_at {self.time_type} NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS handoffs_one_active ON handoffs (session_id) WHERE status <> 'closed';
CREATE INDEX IF NOT EXISTS handoffs_by_status ON handoffs (status, updated_at);
CREATE TABLE IF NOT EXISTS handoff_messages (
    seq {self.seq_column},
    handoff_id TEXT NOT NULL REFERENCES handoffs (handoff_id),
    session_id TEXT NOT NULL,
    role TEXT NOT NULL,
    text TEXT NOT NULL,
    author TEXT,
    products TEXT,
    created_at {self.time_type} NOT NULL
);
CREATE INDEX IF NOT EXISTS handoff_messages_by_handoff ON handoff_messages (handoff_id, seq);
CREATE INDEX IF NOT EXISTS handoff_messages_by_session ON handoff_messages (session_id, seq);
"""


class SQLConnection(Protocol):
    """The four calls the store makes (asyncpg's names); rows are read by column name."""

    async def fetchrow(self, sql: str, *args: Any) -> Any: ...

    async def fetch(self, sql: str, *args: Any) -> list[Any]: ...

    async def fetchval(self, sql: str, *args: Any) -> Any: ...

    async def execute(self, sql: str, *args: Any) -> int:
        """Run a statement; the number of rows it changed."""
        ...


HANDOFF_COLUMNS = (
    "h.handoff_id, h.session_id, h.status, h.reason, h.summary, h.agent, h.created_at, h.updated_at, "
    "(SELECT COUNT(*) FROM handoff_messages m WHERE m.handoff_id = h.handoff_id) AS message_count, "
    "(SELECT m.text FROM handoff_messages m WHERE m.handoff_id = h.handoff_id ORDER BY m.seq DESC LIMIT 1) "
    "AS last_message"
)
MESSAGE_COLUMNS = "seq, handoff_id, session_id, role, text, created_at, products, author"


def _fields(row: Any) -> dict[str, Any]:
    """A row (``sqlite3.Row`` or ``asyncpg.Record``) as ``{column: value}``."""
    return dict(row)  # both have keys() and [name]


def handoff_from_row(row: Any) -> Handoff:
    fields = _fields(row)
    fields["message_count"] = int(fields["message_count"] or 0)
    return Handoff.model_validate(fields)


def message_from_row(row: Any) -> HandoffMessage:
    fields = _fields(row)
    fields["time"] = fields.pop("created_at")
    fields["products"] = products_from_json(fields["products"])
    return HandoffMessage.model_validate(fields)


class SQLHandoffStore:
    """:class:`services.gateway.handoff.HandoffStore` over any :class:`SQLConnection`."""

    dialect: Dialect

    def _connection(self) -> AbstractAsyncContextManager[SQLConnection]:
        raise NotImplementedError

    def _transaction(self) -> AbstractAsyncContextManager[SQLConnection]:
        raise NotImplementedError

    async def aclose(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ queries
    @staticmethod
    async def _one(conn: SQLConnection, handoff_id: str) -> Handoff | None:
        row = await conn.fetchrow(
            f"SELECT {HANDOFF_COLUMNS} FROM handoffs h WHERE h.handoff_id = $1", handoff_id
        )
        return handoff_from_row(row) if row else None

    @staticmethod
    async def _active(conn: SQLConnection, session_id: str) -> Handoff | None:
        row = await conn.fetchrow(
            f"SELECT {HANDOFF_COLUMNS} FROM handoffs h WHERE h.session_id = $1 AND h.status <> 'closed'",
            session_id,
        )
        return handoff_from_row(row) if row else None

    @staticmethod
    async def _insert_message(
        conn: SQLConnection,
        handoff_id: str,
        session_id: str,
        role: str,
        text: str,
        at: float,
        author: str | None = None,
        products: str | None = None,
    ) -> int:
        seq = await conn.fetchval(
            "INSERT INTO handoff_messages (handoff_id, session_id, role, text, author, products, created_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq",
            handoff_id,
            session_id,
            role,
            text,
            author,
            products,
            at,
        )
        return int(seq)

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
        async with self._transaction() as conn:
            handoff_id, now = new_handoff_id(), time.time()
            inserted = await conn.fetchval(
                "INSERT INTO handoffs (handoff_id, session_id, status, reason, summary, agent, created_at, "
                "updated_at) VALUES ($1, $2, 'open', $3, $4, NULL, $5, $5) "
                "ON CONFLICT (session_id) WHERE status <> 'closed' DO NOTHING RETURNING handoff_id",
                handoff_id,
                session_id,
                reason,
                summary,
                now,
            )
            if inserted is None:  # the session already has an active handoff
                existing = await self._active(conn, session_id)
                if existing is not None:
                    return existing
                raise RuntimeError("handoff insert conflicted but no active handoff was found")
            for line in lines:
                await self._insert_message(
                    conn,
                    handoff_id,
                    session_id,
                    line.role,
                    line.text,
                    line.time,
                    products=products_json(line.products),
                )
            created = await self._one(conn, handoff_id)
        assert created is not None
        log.info("handoff.opened", handoff_id=handoff_id, reason=reason, messages=len(lines))
        return created

    async def get(self, handoff_id: str) -> Handoff | None:
        async with self._connection() as conn:
            handoff = await self._one(conn, handoff_id)
            if handoff is None:
                return None
            rows = await conn.fetch(
                f"SELECT {MESSAGE_COLUMNS} FROM handoff_messages WHERE handoff_id = $1 ORDER BY seq",
                handoff_id,
            )
        handoff.transcript = [message_from_row(r) for r in rows]
        return handoff

    async def list_handoffs(self, status: StatusFilter = "active", limit: int = 100) -> list[Handoff]:
        wanted = statuses(status)
        marks = ", ".join(f"${i}" for i in range(1, len(wanted) + 1))
        order = "h.updated_at DESC" if status in ("closed", "all") else "h.created_at ASC"
        async with self._connection() as conn:
            rows = await conn.fetch(
                f"SELECT {HANDOFF_COLUMNS} FROM handoffs h WHERE h.status IN ({marks}) "
                f"ORDER BY {order} LIMIT ${len(wanted) + 1}",
                *wanted,
                int(limit),
            )
        return [handoff_from_row(r) for r in rows]

    async def get_open_for_session(self, session_id: str) -> Handoff | None:
        async with self._connection() as conn:
            return await self._active(conn, session_id)

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
        async with self._transaction() as conn:
            row = await conn.fetchrow(
                f"SELECT session_id, status FROM handoffs WHERE handoff_id = $1{self.dialect.lock_row}",
                handoff_id,
            )
            if row is None:
                raise HandoffNotFound(handoff_id)
            if row["status"] == "closed" and checked != "system":
                raise HandoffClosed(handoff_id, f"add a {checked} message")
            now, session_id = time.time(), row["session_id"]
            seq = await self._insert_message(conn, handoff_id, session_id, checked, text, now, author, shown)
            await conn.execute("UPDATE handoffs SET updated_at = $1 WHERE handoff_id = $2", now, handoff_id)
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

    async def pending_for_shopper(self, session_id: str, after: int = 0) -> list[HandoffMessage]:
        async with self._connection() as conn:
            rows = await conn.fetch(
                f"SELECT {MESSAGE_COLUMNS} FROM handoff_messages WHERE session_id = $1 AND seq > $2 "
                "AND role IN ('agent', 'system') ORDER BY seq",
                session_id,
                int(after),
            )
        return [message_from_row(r) for r in rows]

    async def _transition(self, handoff_id: str, status: str, agent: str | None, notice: str) -> Handoff:
        async with self._transaction() as conn:
            row = await conn.fetchrow(
                f"SELECT session_id, status, agent FROM handoffs WHERE handoff_id = $1"
                f"{self.dialect.lock_row}",
                handoff_id,
            )
            if row is None:
                raise HandoffNotFound(handoff_id)
            if row["status"] == "closed":
                if status == "closed":  # closing twice is a no-op
                    current = await self._one(conn, handoff_id)
                    assert current is not None
                    return current
                raise HandoffClosed(handoff_id, "assign it")
            now = time.time()
            await conn.execute(
                "UPDATE handoffs SET status = $1, agent = COALESCE($2, agent), updated_at = $3 "
                "WHERE handoff_id = $4",
                status,
                agent,
                now,
                handoff_id,
            )
            if not (status == "assigned" and row["agent"] == agent):
                await self._insert_message(conn, handoff_id, row["session_id"], "system", notice, now)
            updated = await self._one(conn, handoff_id)
        assert updated is not None
        log.info("handoff.status", handoff_id=handoff_id, status=status)
        return updated

    async def assign(self, handoff_id: str, agent: str) -> Handoff:
        agent = clean_text(agent) or "Agent"
        return await self._transition(handoff_id, "assigned", agent, joined_notice(agent))

    async def close(self, handoff_id: str, agent: str | None = None) -> Handoff:
        return await self._transition(handoff_id, "closed", agent, CLOSED_NOTICE)

    async def set_summary(self, handoff_id: str, summary: str) -> None:
        summary = clean_text(summary)
        async with self._transaction() as conn:
            changed = await conn.execute(
                "UPDATE handoffs SET summary = $1 WHERE handoff_id = $2", summary, handoff_id
            )
        if not changed:
            raise HandoffNotFound(handoff_id)

    async def ping(self) -> bool:
        try:
            async with self._connection() as conn:
                return bool(await conn.fetchval("SELECT 1") == 1)
        except Exception as exc:  # never the message: a driver may put the URL (and password) in it
            log.warning("handoff.ping_failed", backend=self.dialect.name, error=type(exc).__name__)
            return False
