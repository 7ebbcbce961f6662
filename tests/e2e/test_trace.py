"""One shopper request → one whole, correctly parented trace across processes.

The ``embedder`` KServe ModelServer runs in its own process with tracing installed
(:func:`install_kserve_tracing`), exporting its spans as JSON lines to a file. The gateway runs
in this process (real app, real ``RemoteEmbedder`` over HTTP, tantivy + Milvus Lite) exporting
to memory. The ``traceparent`` header is the only link between the two: the embedder's server
span must carry the gateway's trace id and hang off the gateway's ``search.embed_query`` span.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from ml.catalog.document import document_text
from ml.config import Settings
from ml.embedding.remote import RemoteEmbedder
from ml.observability.tracing import (
    add_memory_exporter,
    configure_tracing,
    install_tracing,
    instrument_httpx_client,
    read_spans_file,
)
from ml.retrieval.engine import HybridSearcher
from ml.retrieval.factory import build_keyword_index, build_vector_index
from services.common.launcher import free_port
from services.gateway.app import create_app
from tests.fakes.catalog import sample_products
from tests.observability.stack import REPO, base_env

pytestmark = [pytest.mark.integration, pytest.mark.timeout(400)]

EMBEDDER_LAUNCHER = """
import sys
from ml.config import get_settings
from ml.observability.tracing import install_kserve_tracing
from services.common.server import serve_models
from services.embedder.model import build_model

settings = get_settings()
install_kserve_tracing("shoptalk-embedder", settings)
serve_models([build_model(settings)], host="127.0.0.1", http_port=int(sys.argv[1]))
"""


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    return add_memory_exporter(configure_tracing("shoptalk-gateway", Settings()))


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("trace-embedder")
    spans_file = root / "embedder-spans.jsonl"
    port = free_port()
    log = (root / "embedder.log").open("wb")
    env = base_env(SHOPTALK_DATA_DIR=str(root / "data"), SHOPTALK_OTEL_SPANS_FILE=str(spans_file))
    process = subprocess.Popen(
        [sys.executable, "-c", EMBEDDER_LAUNCHER, str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=REPO,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, (root / "embedder.log").read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "embedder did not become ready"
            try:
                if httpx.get(f"{url}/v2/models/embedder/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        yield url, spans_file
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


async def test_chat_is_one_trace_across_gateway_and_embedder(
    embedder: tuple[str, Path], spans: InMemorySpanExporter, tmp_path: Path
) -> None:
    url, spans_file = embedder
    settings = Settings(data_dir=tmp_path / "data", embedder_url=url, service_timeout_s=10, tts="off")
    remote = RemoteEmbedder(url, timeout_s=10, settings=settings)
    instrument_httpx_client(remote.client._client)  # no-op once ml/clients/v2.py sets the hooks itself
    products = sample_products()
    keyword = build_keyword_index(settings)
    vector = build_vector_index(settings, remote.dim)
    keyword.upsert(products)
    vector.upsert(products, remote.embed([document_text(p) for p in products]))
    searcher = HybridSearcher(keyword, vector, remote, candidate_pool=20)

    app = create_app(settings, searcher=searcher, llm=False)
    install_tracing(app, settings)
    spans.clear()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway", timeout=60) as client:
            response = await client.post("/v1/chat", json={"message": "waterproof hiking boots", "k": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["search_mode"] == "hybrid"
    assert "embedder-unavailable" not in (body["degraded"] or "")

    # --- the gateway half: one trace, every span parented inside it
    gateway_spans = list(spans.get_finished_spans())
    trace_ids = {s.context.trace_id for s in gateway_spans}
    assert len(trace_ids) == 1, [s.name for s in gateway_spans]
    trace_id = format(trace_ids.pop(), "032x")
    assert body["trace_id"] == trace_id == response.headers["x-trace-id"]
    by_name = {s.name: s for s in gateway_spans}
    expected = {"POST /v1/chat", "chat", "chat.understand", "search", "search.keyword", "search.embed_query",
                "search.vector", "search.fusion"}  # fmt: skip
    assert expected <= set(by_name), sorted(by_name)
    root = by_name["POST /v1/chat"]
    assert root.parent is None and root.kind == SpanKind.SERVER
    ids = {s.context.span_id for s in gateway_spans}
    assert all(s.parent is not None and s.parent.span_id in ids for s in gateway_spans if s is not root)
    assert by_name["search"].parent.span_id == by_name["chat"].context.span_id
    assert by_name["search.embed_query"].parent.span_id == by_name["search"].context.span_id

    # --- the embedder half, written by the other process, joined through traceparent
    deadline = time.monotonic() + 10
    remote_spans: list[dict] = []
    while time.monotonic() < deadline and not remote_spans:
        remote_spans = [s for s in read_spans_file(spans_file) if s["trace_id"] == trace_id]
        time.sleep(0.1)
    assert len(remote_spans) == 1, remote_spans
    (server_span,) = remote_spans
    assert server_span["service"] == "shoptalk-embedder"
    assert server_span["kind"] == "SERVER"
    assert server_span["name"] == "POST /v2/models/{model_name}/infer"
    assert server_span["attributes"]["http.response.status_code"] == 200
    assert server_span["parent_span_id"] == format(by_name["search.embed_query"].context.span_id, "016x")
    # the embedder span starts inside its parent's time window (same host clock); its end may
    # trail the client's: the server closes its span after the response bytes have been sent
    parent = by_name["search.embed_query"]
    assert parent.start_time <= server_span["start_ns"] <= parent.end_time
    assert server_span["start_ns"] <= server_span["end_ns"]

    # ingestion calls made outside any request start their own traces, never join this one
    others = [s for s in read_spans_file(spans_file) if s["trace_id"] != trace_id]
    assert all(s["parent_span_id"] is None for s in others)
