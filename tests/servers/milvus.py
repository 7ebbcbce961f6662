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

import contextlib
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.common.launcher import free_port

START_TIMEOUT_S = float(os.environ.get("SHOPTALK_TEST_MILVUS_START_S", "240"))  # a loaded CI box is slow


def _config() -> Any:
    from milvus import MilvusServerConfig

    class ReusableConfig(MilvusServerConfig):  # type: ignore[misc]
        """Probes ports with SO_REUSEADDR, as the server itself binds them: after a stop the
        old port still has connections in TIME_WAIT, which a plain bind() refuses for 60 s."""

        def try_bind_port(self, port: int) -> socket.socket | None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
                sock.listen()
                return sock
            except OSError:
                sock.close()
                return None

    return ReusableConfig()


class MilvusTestServer:
    def __init__(self) -> None:
        from milvus import MilvusServer

        self.base = Path(tempfile.mkdtemp(prefix="shoptalk-milvus-"))
        self._server: Any = MilvusServer(_config(), wait_for_started=False)
        self._server.set_base_dir(str(self.base))
        self.port = free_port()
        self._server.listen_port = self.port

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return bool(self._server.running)

    @property
    def log_tail(self) -> str:
        log = self.base / "logs" / "milvus-stderr.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def start(self) -> MilvusTestServer:
        deadline = time.monotonic() + 20
        while True:  # the same port again after stop(): it may sit in TIME_WAIT for a moment
            try:
                self._server.config.update(proxy_port=self.port)
                self._server.start()
                break
            except RuntimeError as exc:
                if "bind failed" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        self._server.wait_started(timeout=START_TIMEOUT_S * 1000)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        from pymilvus import MilvusClient

        deadline = time.monotonic() + START_TIMEOUT_S
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                client = MilvusClient(uri=self.uri, timeout=5)
                client.list_collections(timeout=5)
                client.close()
                return
            except Exception as exc:  # still booting
                last = exc
                time.sleep(0.5)
        raise TimeoutError(f"Milvus at {self.uri} not ready: {last}")

    def stop(self) -> None:
        self._server.stop()

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self._server.stop()
        shutil.rmtree(self.base, ignore_errors=True)


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
