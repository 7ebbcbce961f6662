"""The dependencies the fault tests kill: real processes on loopback ports that restart on the same
port (a pod coming back behind its Service).

- :class:`RedisProcess` — Debian ``redis-server`` with an append-only file (``appendfsync always``),
  as production Redis keeps sessions across a restart;
- :class:`StubLLMProcess` — the OpenAI-wire stub (``services.bench.stub_llm``) in its own process;
- the KServe embedder and reranker are ``ModelServerProcess("embedder" | "reranker", port)``;
- the Milvus standalone server is ``tests.servers.milvus.MilvusTestServer`` (``stop``/``start``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from services.common.launcher import ModelServerProcess, free_port

STUB_LLM = """
import sys, time
from services.bench.stub_llm import OpenAIStubServer
OpenAIStubServer(port=int(sys.argv[1])).start()
while True:
    time.sleep(3600)
"""


class StubLLMProcess(ModelServerProcess):
    """An OpenAI-compatible chat-completions server (instant, cites the products it is shown)."""

    def __init__(self, port: int | None = None, cwd: Path | None = None) -> None:
        super().__init__("llm", port=port)
        self.cwd = cwd

    @property
    def command(self) -> list[str]:
        return [sys.executable, "-c", STUB_LLM, str(self.port)]

    @property
    def ready_url(self) -> str:  # the OpenAI API root is ``base_url``; its model list answers 200
        return f"{self.base_url}/models"

    base_url = property(lambda self: f"{self.url}/v1")


class RedisProcess:
    """``redis-server`` on a loopback port with its data (AOF) in a temp dir kept across restarts."""

    def __init__(self, port: int | None = None) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise FileNotFoundError("redis-server is not installed (apt-get install redis-server)")
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="shoptalk-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout_s: float = 20.0) -> RedisProcess:
        command = [
            str(self.binary), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
            "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "no",
        ]  # fmt: skip
        log = (self.dir / "redis.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
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
