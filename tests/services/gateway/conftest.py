"""Gateway fixtures: the real app over the real HybridSearcher on in-memory index halves."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from ml.config import Settings
from services.bench.stub_llm import OpenAIStubServer
from services.gateway.app import create_app
from services.gateway.llm import LLMClient
from tests.fakes.catalog import build_test_searcher


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", images_dir=tmp_path / "images")


@pytest.fixture
def searcher():  # type: ignore[no-untyped-def]
    return build_test_searcher()


@pytest.fixture
async def client(settings: Settings, searcher) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """Offline gateway (no API key)."""
    app = create_app(settings, searcher=searcher)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as c:
            c.app = app  # type: ignore[attr-defined]
            yield c


@pytest.fixture(scope="session")
def openai_server() -> Iterator[OpenAIStubServer]:
    server = OpenAIStubServer().start()
    yield server
    server.stop()


@pytest.fixture
def stub(openai_server: OpenAIStubServer) -> Iterator[OpenAIStubServer]:
    openai_server.reset()
    yield openai_server
    openai_server.reset()


@pytest.fixture
def llm_settings(tmp_path: Path, stub: OpenAIStubServer) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        openai_api_key="sk-test-key",
        openai_base_url=stub.base_url,
        llm_model="stub-model",
        llm_timeout_s=2.0,
        llm_max_retries=0,
    )


@pytest.fixture
async def llm_client(llm_settings: Settings, searcher) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """Gateway whose LLM is the local OpenAI-compatible stub server, over real HTTP."""
    llm = LLMClient.from_settings(llm_settings)
    assert llm is not None
    app = create_app(llm_settings, searcher=searcher, llm=llm)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway", timeout=30) as c:
            c.app = app  # type: ignore[attr-defined]
            yield c
