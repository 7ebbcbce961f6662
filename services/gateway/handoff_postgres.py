"""The cluster handoff store: PostgreSQL by URL (``SHOPTALK_HANDOFF_DB_URL``/``SHOPTALK_DATABASE_URL``).

``asyncpg`` with a small connection pool, created on first use (so building the app needs no
database). The schema is created if missing. Each write is one transaction, committed before the
call returns. Messages of one handoff are appended under a row lock on the handoff, so their
``seq`` order is their commit order and a shopper polling ``after=N`` never skips a reply.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

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

SCHEMA = """
CREATE TABLE IF NOT EXISTS handoffs (
    handoff_id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'assigned', 'closed')),
    reason TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    agent TEXT,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS handoffs_one_active ON handoffs (session_id) WHERE status <> 'closed';
CREATE INDEX IF NOT EXISTS handoffs_by_status ON handoffs (status, updated_at);
CREATE TABLE IF NOT EXISTS handoff_messages (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    handoff_id TEXT NOT NULL REFERENCES handoffs (handoff_id),
    session_id TEXT NOT NULL,
    role TEXT NOT NULL,
    text TEXT NOT NULL,
    author TEXT,
    products TEXT,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS handoff_messages_by_handoff ON handoff_messages (handoff_id, seq);
CREATE INDEX IF NOT EXISTS handoff_messages_by_session ON handoff_messages (session_id, seq);
"""

_HANDOFF_COLUMNS = (
    "h.handoff_id, h.session_id, h.status, h.reason, h.summary, h.agent, h.created_at, h.updated_at, "
    "(SELECT COUNT(*) FROM handoff_messages m WHERE m.handoff_id = h.handoff_id) AS message_count, "
    "(SELECT m.text FROM handoff_messages m WHERE m.handoff_id = h.handoff_id ORDER BY m.seq DESC LIMIT 1) "
    "AS last_message"
)
_MESSAGE_COLUMNS = "seq, handoff_id, session_id, role, text, created_at, products, author"


def asyncpg_dsn(url: str) -> str:
    """Accept SQLAlchemy-style URLs too (``postgresql+asyncpg://``, ``postgresql+psycopg://``)."""
    scheme, sep, rest = url.partition("://")
    if sep and "+" in scheme:
        scheme = scheme.split("+", 1)[0]
    return f"{scheme}{sep}{rest}"


def _handoff(row: Any) -> Handoff:
    return Handoff(
        handoff_id=row["handoff_id"],
        session_id=row["session_id"],
        status=row["status"],
        reason=row["reason"],
        summary=row["summary"],
        agent=row["agent"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        message_count=int(row["message_count"] or 0),
        last_message=row["last_message"],
    )


def _message(row: Any) -> HandoffMessage:
    return HandoffMessage(
        seq=row["seq"],
        handoff_id=row["handoff_id"],
        session_id=row["session_id"],
        role=row["role"],
        text=row["text"],
        time=row["created_at"],
        products=products_from_json(row["products"]),
        author=row["author"],
    )


class PostgresHandoffStore:
    def __init__(self, url: str, min_size: int = 1, max_size: int = 5, timeout_s: float = 5.0) -> None:
        self._dsn = asyncpg_dsn(url)
        self.min_size = min_size
        self.max_size = max_size
        self.timeout_s = timeout_s
        self._pool: Any = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:  # never print the URL: it may hold a password
        return f"PostgresHandoffStore(pool={'open' if self._pool else 'none'})"

    async def _get_pool(self) -> Any:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    import asyncpg

                    pool = await asyncpg.create_pool(
                        self._dsn,
                        min_size=self.min_size,
                        max_size=self.max_size,
                        timeout=self.timeout_s,
                        command_timeout=self.timeout_s,
                    )
                    # one schema creator at a time across processes
                    async with pool.acquire() as conn, conn.transaction():
                        await conn.execute("SELECT pg_advisory_xact_lock(727274)")
                        await conn.execute(SCHEMA)
                    self._pool = pool
                    log.info("handoff.store_opened", backend="postgres")
        return self._pool

    async def _one(self, conn: Any, handoff_id: str) -> Handoff | None:
        row = await conn.fetchrow(
            f"SELECT {_HANDOFF_COLUMNS} FROM handoffs h WHERE h.handoff_id = $1", handoff_id
        )
        return _handoff(row) if row else None

    async def _active(self, conn: Any, session_id: str) -> Handoff | None:
        row = await conn.fetchrow(
            f"SELECT {_HANDOFF_COLUMNS} FROM handoffs h WHERE h.session_id = $1 AND h.status <> 'closed'",
            session_id,
        )
        return _handoff(row) if row else None

    @staticmethod
    async def _insert_message(
        conn: Any,
        handoff_id: str,
        session_id: str,
        role: str,
        text: str,
        at: float,
        author: str | None = None,
        products: str | None = None,
    ) -> int:
        return int(
            await conn.fetchval(
                "INSERT INTO handoff_messages (handoff_id, session_id, role, text, author, products, "
                "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq",
                handoff_id,
                session_id,
                role,
                text,
                author,
                products,
                at,
            )
        )

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
        pool = await self._get_pool()
        async with pool.acquire() as conn, conn.transaction():
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
        pool = await self._get_pool()
        async with pool.acquire() as conn:
            handoff = await self._one(conn, handoff_id)
            if handoff is None:
                return None
            rows = await conn.fetch(
                f"SELECT {_MESSAGE_COLUMNS} FROM handoff_messages WHERE handoff_id = $1 ORDER BY seq",
                handoff_id,
            )
        handoff.transcript = [_message(r) for r in rows]
        return handoff

    async def list_handoffs(self, status: StatusFilter = "active", limit: int = 100) -> list[Handoff]:
        wanted = list(statuses(status))
        order = "h.updated_at DESC" if status in ("closed", "all") else "h.created_at ASC"
        pool = await self._get_pool()
        async with pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {_HANDOFF_COLUMNS} FROM handoffs h WHERE h.status = ANY($1::text[]) "
                f"ORDER BY {order} LIMIT $2",
                wanted,
                int(limit),
            )
        return [_handoff(r) for r in rows]

    async def get_open_for_session(self, session_id: str) -> Handoff | None:
        pool = await self._get_pool()
        async with pool.acquire() as conn:
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
        pool = await self._get_pool()
        async with pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "SELECT session_id, status FROM handoffs WHERE handoff_id = $1 FOR UPDATE", handoff_id
            )
            if row is None:
                raise HandoffNotFound(handoff_id)
            if row["status"] == "closed" and checked != "system":
                raise HandoffClosed(handoff_id, f"add a {checked} message")
            now = time.time()
            seq = await self._insert_message(
                conn, handoff_id, row["session_id"], checked, text, now, author, shown
            )
            await conn.execute("UPDATE handoffs SET updated_at = $1 WHERE handoff_id = $2", now, handoff_id)
        return HandoffMessage(
            seq=seq,
            handoff_id=handoff_id,
            session_id=row["session_id"],
            role=checked,
            text=text,
            time=now,
            products=products_from_json(shown),
            author=author,
        )

    async def pending_for_shopper(self, session_id: str, after: int = 0) -> list[HandoffMessage]:
        pool = await self._get_pool()
        async with pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {_MESSAGE_COLUMNS} FROM handoff_messages WHERE session_id = $1 AND seq > $2 "
                "AND role IN ('agent', 'system') ORDER BY seq",
                session_id,
                int(after),
            )
        return [_message(r) for r in rows]

    async def _transition(self, handoff_id: str, status: str, agent: str | None, notice: str) -> Handoff:
        pool = await self._get_pool()
        async with pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "SELECT session_id, status, agent FROM handoffs WHERE handoff_id = $1 FOR UPDATE", handoff_id
            )
            if row is None:
                raise HandoffNotFound(handoff_id)
            if row["status"] == "closed":
                if status == "closed":
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
        pool = await self._get_pool()
        async with pool.acquire() as conn:
            result = await conn.execute(
                "UPDATE handoffs SET summary = $1 WHERE handoff_id = $2", summary, handoff_id
            )
        if result.endswith(" 0"):
            raise HandoffNotFound(handoff_id)

    async def ping(self) -> bool:
        try:
            pool = await self._get_pool()
            async with pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT 1") == 1)
        except Exception as exc:
            log.warning("handoff.ping_failed", error=type(exc).__name__)
            return False

    async def aclose(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()
