"""A real Milvus standalone server for tests: the PyPI package ``milvus`` (2.3.5, "embedded Milvus").

It unpacks a real Milvus standalone binary with embedded etcd and RocksMQ into a temp dir and
runs it on free loopback ports (8–10 s to start, ~425 MB). One server per test session: the
``milvus_server`` fixture is registered once, in ``tests/conftest.py`` (a module that imported it
would get its own session-scoped copy — a second server beside the first, which cannot start);
tests that need it skip with a clear reason when the package is missing or cannot start::

    def test_x(milvus_server):
        index = MilvusVectorIndex(milvus_server.uri, "c", dim=8)

``stop()`` / ``start()`` keep the data dir and the port, so a test can take the server away
and bring it back (fault tests). Limits of this old server (2.3): no sparse vectors, one
vector field per collection, no expression templates; HNSW, COSINE, ARRAY fields and
``array_contains_any`` work.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from services.bench.servers import MilvusStandalone

START_TIMEOUT_S = float(os.environ.get("SHOPTALK_TEST_MILVUS_START_S", "240"))  # a loaded CI box is slow


class MilvusTestServer(MilvusStandalone):
    """The bench's Milvus standalone server (``services.bench.servers``) with the test start-up bound."""

    def start(self, timeout_s: float = START_TIMEOUT_S) -> MilvusTestServer:
        super().start(timeout_s)
        return self


@pytest.fixture(scope="session")
def milvus_server() -> Iterator[MilvusTestServer]:
    try:
        server = MilvusTestServer()
    except ImportError:
        pytest.skip("the 'milvus' package (Milvus standalone server, dev extra) is not installed")
    try:
        server.start()
    except Exception as exc:
        tail = server.log_tail
        server.destroy()
        pytest.skip(f"the Milvus standalone server could not start: {exc}\n{tail}")
    yield server
    server.destroy()


def unique_collection(prefix: str = "t") -> str:
    """Collections on the shared session server must not collide between tests."""
    return f"{prefix}_{time.time_ns()}"
