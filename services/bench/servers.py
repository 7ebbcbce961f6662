"""Real shared-state servers for multi-process runs (benchmarks and fault tests), on loopback ports.

Several gateway workers cannot share the embedded Milvus Lite file (single-process) nor in-memory
sessions, so a multi-worker run gives them what a cluster would: a Milvus standalone server
(PyPI ``milvus``, the real engine with embedded etcd) for the vector index and Debian
``redis-server`` for sessions and turn locks. The tantivy keyword index is read-only at serve
time, so every worker opens the same directory.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from services.common.launcher import free_port


class RedisServer:
    """``redis-server`` with its append-only file in a temp dir kept across restarts (``kill`` +
    ``start`` on the same port loses nothing that was acknowledged: ``appendfsync always``)."""

    def __init__(self, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="shoptalk-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout_s: float = 20.0) -> RedisServer:
        command = [
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
            "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "no",
        ]  # fmt: skip
        with (self.dir / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited: {(self.dir / 'redis.log').read_text()[-1500:]}")
            if self.ping():
                return self
            time.sleep(0.05)
        raise TimeoutError(f"redis-server not up on {self.port}")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def destroy(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def _reusable_config() -> Any:
    """Milvus's config, probing ports with SO_REUSEADDR as the server itself binds them: after a
    stop the old port still has connections in TIME_WAIT, which a plain bind() refuses for 60 s."""
    from milvus import MilvusServerConfig

    class ReusableConfig(MilvusServerConfig):
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


class MilvusStandalone:
    """The Milvus standalone server of the PyPI ``milvus`` package (8–10 s to start), its data in
    ``base`` (kept) or a temp dir (removed). ``stop()`` / ``start()`` keep the data dir and the
    port, so a caller can take the server away and bring it back (fault tests)."""

    def __init__(self, base: Path | None = None) -> None:
        from milvus import MilvusServer

        self._keep = base is not None  # a caller's dir keeps its collections for the next run
        self.base = base or Path(tempfile.mkdtemp(prefix="shoptalk-milvus-"))
        self.base.mkdir(parents=True, exist_ok=True)
        self._server: Any = MilvusServer(_reusable_config(), wait_for_started=False)
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

    def start(self, timeout_s: float = 180.0) -> MilvusStandalone:
        bind_deadline = time.monotonic() + 20
        while True:  # the same port again after stop(): it may sit in TIME_WAIT for a moment
            try:
                self._server.config.update(proxy_port=self.port)
                self._server.start()
                break
            except RuntimeError as exc:
                if "bind failed" not in str(exc) or time.monotonic() > bind_deadline:
                    raise
                time.sleep(0.5)
        self._server.wait_started(timeout=int(timeout_s * 1000))
        self._wait_ready(timeout_s)
        return self

    def _wait_ready(self, timeout_s: float) -> None:
        from pymilvus import MilvusClient

        deadline = time.monotonic() + timeout_s
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
        if not self._keep:
            shutil.rmtree(self.base, ignore_errors=True)
