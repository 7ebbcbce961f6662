"""The cluster handoff store: PostgreSQL by URL (``SHOPTALK_HANDOFF_DB_URL``/``SHOPTALK_DATABASE_URL``).

``asyncpg`` with a small connection pool, created on first use (so building the app needs no
database). The schema is created if missing. Each write is one transaction, committed before the
call returns. Messages of one handoff are appended under a row lock on the handoff, so their
``seq`` order is their commit order and a shopper polling ``after=N`` never skips a reply. The
queries are :mod:`services.gateway.handoff_sql`'s, shared with SQLite.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from ml.logging import get_logger
from services.gateway.handoff_sql import Dialect, SQLHandoffStore

log = get_logger(__name__)

POSTGRES = Dialect(
    "postgres",
    time_type="DOUBLE PRECISION",
    seq_column="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    lock_row=" FOR UPDATE",
)
SCHEMA = POSTGRES.schema()


def asyncpg_dsn(url: str) -> str:
    """Accept SQLAlchemy-style URLs too (``postgresql+asyncpg://``, ``postgresql+psycopg://``)."""
    scheme, sep, rest = url.partition("://")
    if sep and "+" in scheme:
        scheme = scheme.split("+", 1)[0]
    return f"{scheme}{sep}{rest}"


class _Connection:
    """:class:`services.gateway.handoff_sql.SQLConnection` over an ``asyncpg`` connection."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self.fetchrow = conn.fetchrow
        self.fetch = conn.fetch
        self.fetchval = conn.fetchval

    async def execute(self, sql: str, *args: Any) -> int:
        status = await self._conn.execute(sql, *args)  # e.g. "UPDATE 1"
        count = str(status).rsplit(" ", 1)[-1]
        return int(count) if count.isdigit() else 0


class PostgresHandoffStore(SQLHandoffStore):
    dialect = POSTGRES

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

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[_Connection]:
        pool = await self._get_pool()
        async with pool.acquire() as conn:
            yield _Connection(conn)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[_Connection]:
        pool = await self._get_pool()
        async with pool.acquire() as conn, conn.transaction():
            yield _Connection(conn)

    async def aclose(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()
