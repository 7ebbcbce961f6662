"""Tracing: server spans by route template, traceparent in and out, GenAI LLM spans, span files."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from ml.config import Settings
from ml.observability.tracing import (
    build_provider,
    configure_tracing,
    httpx_event_hooks,
    instrument_httpx_client,
    llm_span,
    read_spans_file,
)
from tests.fakes.catalog import sample_products

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


def _server_spans(spans: InMemorySpanExporter) -> list:  # type: ignore[type-arg]
    return [s for s in spans.get_finished_spans() if s.kind == SpanKind.SERVER]


def test_configure_tracing_is_idempotent() -> None:
    first = configure_tracing("shoptalk-gateway", Settings())
    assert configure_tracing("something-else", Settings(otel_exporter="console")) is first
    assert trace.get_tracer_provider() is first


async def test_server_span_uses_route_template_and_continues_traceparent(gateway, spans) -> None:  # type: ignore[no-untyped-def]
    client = await gateway()
    item_id = sample_products()[0].item_id
    response = await client.get(
        f"/v1/products/{item_id}", headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"}
    )
    assert response.status_code == 200
    (span,) = _server_spans(spans)
    assert span.name == "GET /v1/products/{item_id}"
    assert span.attributes["http.route"] == "/v1/products/{item_id}"
    assert span.attributes["http.response.status_code"] == 200
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert span.parent is not None and format(span.parent.span_id, "016x") == PARENT_ID
    # the gateway's trace id header is the OpenTelemetry trace id
    assert response.headers["x-trace-id"] == TRACE_ID


async def test_chat_request_is_one_trace_with_stage_spans(gateway, spans) -> None:  # type: ignore[no-untyped-def]
    client = await gateway()
    response = await client.post("/v1/chat", json={"message": "waterproof hiking boots"})
    assert response.status_code == 200
    finished = spans.get_finished_spans()
    names = {s.name for s in finished}
    assert {"POST /v1/chat", "chat", "chat.understand", "search", "search.keyword", "search.fusion"} <= names
    assert len({s.context.trace_id for s in finished}) == 1
    (root,) = [s for s in finished if s.parent is None]
    assert root.name == "POST /v1/chat"
    by_id = {s.context.span_id: s for s in finished}
    for span in finished:  # every span hangs off a span of the same trace
        if span is not root:
            assert span.parent is not None and span.parent.span_id in by_id
    assert response.json()["trace_id"] == format(root.context.trace_id, "032x")


async def test_query_text_never_lands_in_spans(gateway, spans) -> None:  # type: ignore[no-untyped-def]
    client = await gateway()
    secret_text = "zebra-private-query-xyzzy"
    assert (await client.get("/v1/search", params={"q": secret_text})).status_code == 200
    for span in spans.get_finished_spans():
        for value in (span.attributes or {}).values():
            assert secret_text not in str(value), span.name


async def test_unmatched_and_5xx_paths(gateway, spans) -> None:  # type: ignore[no-untyped-def]
    client = await gateway()
    assert (await client.get("/no/such/path")).status_code == 404
    (span,) = _server_spans(spans)
    assert span.name == "GET unmatched"
    assert span.status.status_code != StatusCode.ERROR


async def test_probes_are_not_traced(gateway, spans) -> None:  # type: ignore[no-untyped-def]
    client = await gateway()
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/metrics")).status_code == 200
    assert _server_spans(spans) == []


def test_httpx_hooks_inject_traceparent(spans) -> None:  # type: ignore[no-untyped-def]
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: (seen.append(request), httpx.Response(200))[1])
    tracer = trace.get_tracer("test")
    with httpx.Client(transport=transport, event_hooks=httpx_event_hooks()) as client:
        client.get("http://svc/a")  # no active span: nothing to propagate
        with tracer.start_as_current_span("outer") as outer:
            client.get("http://svc/b")
    assert "traceparent" not in seen[0].headers
    ctx = outer.get_span_context()
    assert seen[1].headers["traceparent"].startswith(f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-")


async def test_instrument_existing_async_client_is_idempotent(spans) -> None:  # type: ignore[no-untyped-def]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        instrument_httpx_client(client)
        instrument_httpx_client(client)
        assert len(client.event_hooks["request"]) == 1
        with trace.get_tracer("test").start_as_current_span("outer") as outer:
            await client.get("http://svc/x")
    assert f"{outer.get_span_context().trace_id:032x}" in seen[0].headers["traceparent"]


def test_llm_span_follows_genai_conventions_without_content(spans) -> None:  # type: ignore[no-untyped-def]
    messages = [{"role": "user", "content": "my private question about boots"}]
    with llm_span("gpt-4o", messages=messages, settings=Settings(), max_tokens=600) as s:
        s.record_usage(120, 40)
        s.record_finish_reasons(["stop"])
        s.record_response("the private answer", response_model="gpt-4o-2024-08-06")
    (span,) = spans.get_finished_spans()
    assert span.name == "chat gpt-4o"
    assert span.kind == SpanKind.CLIENT
    attrs = span.attributes
    assert attrs["gen_ai.system"] == "openai"
    assert attrs["gen_ai.request.model"] == "gpt-4o"
    assert attrs["gen_ai.usage.input_tokens"] == 120
    assert attrs["gen_ai.usage.output_tokens"] == 40
    assert tuple(attrs["gen_ai.response.finish_reasons"]) == ("stop",)
    dump = repr(dict(attrs)) + repr([dict(e.attributes or {}) for e in span.events])
    assert "private" not in dump


def test_llm_span_captures_content_only_when_configured(spans) -> None:  # type: ignore[no-untyped-def]
    messages = [{"role": "user", "content": "boots please"}]
    with llm_span("stub", messages=messages, settings=Settings(otel_capture_content=True)) as s:
        s.record_response("here are boots")
    (span,) = spans.get_finished_spans()
    events = {e.name: dict(e.attributes or {}) for e in span.events}
    assert "boots please" in events["gen_ai.prompt"]["gen_ai.prompt"]
    assert events["gen_ai.choice"]["gen_ai.completion"] == "here are boots"


def test_llm_span_marks_failures(spans) -> None:  # type: ignore[no-untyped-def]
    with llm_span("gpt-4o") as s:
        s.record_failure("llm-timeout")
    with pytest.raises(RuntimeError), llm_span("gpt-4o"):
        raise RuntimeError("boom")
    first, second = spans.get_finished_spans()
    assert first.status.status_code == StatusCode.ERROR and first.attributes["error.type"] == "llm-timeout"
    assert second.status.status_code == StatusCode.ERROR and second.attributes["error.type"] == "RuntimeError"


def test_spans_file_exporter_writes_parented_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "spans.jsonl"
    provider = build_provider("shoptalk-embedder", Settings(otel_spans_file=path))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("parent"), tracer.start_as_current_span("child"):
        pass
    provider.shutdown()
    child, parent = read_spans_file(path)
    assert (child["name"], parent["name"]) == ("child", "parent")
    assert child["service"] == "shoptalk-embedder"
    assert child["trace_id"] == parent["trace_id"]
    assert child["parent_span_id"] == parent["span_id"] and parent["parent_span_id"] is None
