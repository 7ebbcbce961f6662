"""The local OpenAI-compatible test server (real HTTP, real wire protocol; no patched client).

The implementation lives in :mod:`services.bench.stub_llm` because the gateway benchmark uses
the same server as its "instant LLM"; tests import it from here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from services.bench.stub_llm import OpenAIStubServer

__all__ = ["OpenAIStubServer", "running_openai_server"]


@contextmanager
def running_openai_server() -> Iterator[OpenAIStubServer]:
    server = OpenAIStubServer().start()
    try:
        yield server
    finally:
        server.stop()
