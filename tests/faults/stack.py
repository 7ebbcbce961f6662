"""The dependencies the fault tests kill: real processes on loopback ports that restart on the same
port (a pod coming back behind its Service).

- ``RedisProcess`` — Debian ``redis-server`` with an append-only file (``appendfsync always``), as
  production Redis keeps sessions across a restart (``services.bench.servers.RedisServer``);
- :class:`StubLLMProcess` — the OpenAI-wire stub (``services.bench.stub_llm``) in its own process;
- the KServe embedder and reranker are ``ModelServerProcess("embedder" | "reranker", port)``;
- the Milvus standalone server is ``tests.servers.milvus.MilvusTestServer`` (``stop``/``start``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from services.bench.servers import RedisServer as RedisProcess
from services.common.launcher import ModelServerProcess

__all__ = ["RedisProcess", "StubLLMProcess"]

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
