"""Fixtures: the real gateway (in-memory index halves) with tracing and security installed.

``install_tracing`` / ``install_security`` are idempotent, so these fixtures keep passing once the
lead wires them into ``create_app`` (they are then no-ops here).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from ml.config import Settings
from ml.observability.tracing import add_memory_exporter, configure_tracing
from services.gateway.app import create_app
from services.gateway.security import install_security
from tests.fakes.catalog import build_test_searcher


@pytest.fixture(scope="session")
def span_exporter() -> InMemorySpanExporter:
    provider = configure_tracing("shoptalk-gateway", Settings(otel_exporter="none"))
    return add_memory_exporter(provider)


@pytest.fixture
def spans(span_exporter: InMemorySpanExporter) -> InMemorySpanExporter:
    span_exporter.clear()
    return span_exporter


GatewayFactory = Callable[..., Any]


@pytest.fixture
async def gateway(tmp_path: Path, span_exporter: InMemorySpanExporter) -> AsyncIterator[GatewayFactory]:
    """``await gateway(**settings_overrides)`` → an ``httpx.AsyncClient`` on the real app."""
    from ml.observability.tracing import install_asgi_tracing

    stack: list[tuple[Any, httpx.AsyncClient]] = []

    async def make(**overrides: Any) -> httpx.AsyncClient:
        settings = Settings(data_dir=tmp_path / "data", images_dir=tmp_path / "images", **overrides)
        app = create_app(settings, searcher=build_test_searcher(), llm=None)
        install_security(app, settings)
        install_asgi_tracing(app)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("10.1.2.3", 5555)), base_url="http://gateway"
        )
        stack.append((lifespan, client))
        return client

    yield make
    for lifespan, client in reversed(stack):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)
