"""The default handoff store: one SQLite file (WAL, ``synchronous=FULL``), called off the event loop.

One connection per store; its statements run in worker threads (``asyncio.to_thread``), one
coroutine at a time (an ``asyncio.Lock`` held for a whole transaction). Writes run in
``BEGIN IMMEDIATE`` transactions and are committed before a call returns. Other processes may open
the same file (WAL readers never block the writer; ``busy_timeout`` waits for a writer). The
queries are :mod:`services.gateway.handoff_sql`'s, shared with PostgreSQL.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from ml.logging import get_logger
from services.gateway.handoff_sql import Dialect, SQLHandoffStore

log = get_logger(__name__)
T = TypeVar("T")

SQLITE = Dialect("sqlite", time_type="REAL", seq_column="INTEGER PRIMARY KEY AUTOINCREMENT")
SCHEMA = SQLITE.schema()
_NUMBERED = re.compile(r"\$(\d+)")


class _Connection:
    """:class:`services.gateway.handoff_sql.SQLConnection` over one ``sqlite3`` connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def _call(self, fn: Callable[[], T]) -> T:
        return await asyncio.to_thread(fn)

    def _cursor(self, sql: str, args: tuple[Any, ...]) -> sqlite3.Cursor:
        return self._conn.execute(_NUMBERED.sub(r"?\1", sql), args)

    async def fetchrow(self, sql: str, *args: Any) -> Any:
        return await self._call(lambda: self._cursor(sql, args).fetchone())

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        return await self._call(lambda: self._cursor(sql, args).fetchall())

    async def fetchval(self, sql: str, *args: Any) -> Any:
        row = await self.fetchrow(sql, *args)
        return None if row is None else row[0]

    async def execute(self, sql: str, *args: Any) -> int:
        return await self._call(lambda: self._cursor(sql, args).rowcount)


class SQLiteHandoffStore(SQLHandoffStore):
    dialect = SQLITE

    def __init__(self, path: str | Path, busy_timeout_ms: int = 10_000) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self._conn: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.executescript(SCHEMA)
        log.info("handoff.store_opened", backend="sqlite", path=str(self.path))
        return conn

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[_Connection]:
        async with self._lock:
            if self._conn is None:
                self._conn = await asyncio.to_thread(self._open)
            yield _Connection(self._conn)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[_Connection]:
        """A write transaction (``BEGIN IMMEDIATE``: the write lock up front), committed on exit."""
        async with self._connection() as conn:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")

    async def aclose(self) -> None:
        async with self._lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                await asyncio.to_thread(conn.close)
