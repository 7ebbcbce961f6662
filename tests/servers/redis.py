"""A real Redis server for tests: Debian's ``redis-server`` (7.x) on a free loopback port, in a temp
dir (``services.bench.servers.RedisServer``, the one the load benchmark and fault stack use), torn
down afterwards. Tests that need it skip with a clear reason when the binary is missing
(``make system-deps`` installs it)::

    from tests.servers.redis import redis_server  # noqa: F401  (session fixture)

    def test_x(redis_server):
        url = redis_url(redis_server, db=3)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.bench.servers import RedisServer

__all__ = ["RedisServer", "redis_server", "redis_url"]


def redis_url(server: RedisServer, db: int = 0) -> str:
    """The server's URL for one logical database (tests keep their keys apart by db number)."""
    return f"redis://127.0.0.1:{server.port}/{db}"


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    try:
        server = RedisServer()
    except FileNotFoundError as exc:
        pytest.skip(f"{exc} (make system-deps)")
    server.start()
    try:
        yield server
    finally:
        server.destroy()
