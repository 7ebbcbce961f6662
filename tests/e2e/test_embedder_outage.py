"""Bar: killing the embedder while the gateway runs — chat still answers with keyword search,
marked degraded, and recovers when the service comes back.

Real pieces throughout: the embedder ModelServer in a subprocess on a free loopback port,
RemoteEmbedder (client, retries, circuit breaker) configured from Settings, tantivy + Milvus
Lite indexes in a temp data dir, and the gateway app answering /v1/chat.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from ml.catalog.document import document_text
from ml.clients.breaker import BreakerState
from ml.config import Settings
from ml.embedding.remote import RemoteEmbedder
from ml.retrieval.engine import HybridSearcher
from ml.retrieval.factory import build_keyword_index, build_vector_index
from services.common.launcher import ModelServerProcess, free_port
from services.gateway.app import create_app
from tests.fakes.catalog import sample_products

pytestmark = pytest.mark.integration


async def ask(client: httpx.AsyncClient, message: str) -> dict:
    response = await client.post("/v1/chat", json={"message": message, "k": 3})
    assert response.status_code == 200, response.text
    return response.json()


def degraded(body: dict) -> list[str]:
    return (body["degraded"] or "").split(",")


async def test_chat_degrades_to_keyword_search_and_recovers(tmp_path: Path) -> None:
    port = free_port()
    server_env = {"SHOPTALK_DATA_DIR": str(tmp_path / "embedder")}
    settings = Settings(
        data_dir=tmp_path / "data",
        embedder_url=f"http://127.0.0.1:{port}",
        service_timeout_s=5.0,
        service_retries=1,
        service_breaker_failures=2,
        service_breaker_reset_s=1.0,
        tts="off",
    )
    server = ModelServerProcess("embedder", port=port, env=server_env).start()
    try:
        assert settings.embedder_url is not None
        embedder = RemoteEmbedder(
            settings.embedder_url, timeout_s=settings.service_timeout_s, settings=settings
        )
        products = sample_products()
        keyword = build_keyword_index(settings)
        vector = build_vector_index(settings, embedder.dim)
        keyword.upsert(products)
        vector.upsert(products, embedder.embed([document_text(p) for p in products]))
        searcher = HybridSearcher(keyword, vector, embedder, candidate_pool=20)

        app = create_app(settings, searcher=searcher, llm=False)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://gateway", timeout=60
            ) as client:
                healthy = await ask(client, "waterproof hiking boots")
                assert "embedder-unavailable" not in degraded(healthy)
                assert healthy["search_mode"] == "hybrid"
                assert healthy["products"]

                server.kill()  # the embedder pod dies

                down = await ask(client, "rugged phone case")
                assert "embedder-unavailable" in degraded(down)
                assert down["search_mode"] == "keyword"
                assert any("Phone Case" in p["title"] for p in down["products"])

                await ask(client, "leather sneakers")  # second failure opens the breaker
                assert embedder.client.breaker.state is BreakerState.open
                started = time.perf_counter()
                fast = await ask(client, "hiking backpack")
                assert "embedder-unavailable" in degraded(fast)
                assert time.perf_counter() - started < 1.0  # open breaker: no network wait
                assert fast["products"]

                server = ModelServerProcess("embedder", port=port, env=server_env).start()  # it comes back
                time.sleep(embedder.client.breaker.retry_after_s())  # the cool-down lets a trial through

                recovered = await ask(client, "silicone phone case")
                assert "embedder-unavailable" not in degraded(recovered)
                assert recovered["search_mode"] == "hybrid"
                assert embedder.client.breaker.state is BreakerState.closed
    finally:
        server.stop()
