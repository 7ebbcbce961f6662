"""LLM spans on the gateway's real ``LLMClient`` talking to the OpenAI-compatible test server.

The decorators are applied to a subclass here; the lead's wiring applies them to ``LLMClient``
itself (``@traced_llm_call`` on ``complete``, ``@traced_llm_stream`` on ``stream``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from ml.observability.tracing import traced_llm_call, traced_llm_stream
from services.bench.stub_llm import OpenAIStubServer
from services.gateway.llm import LLMClient, LLMFailure, StreamState

MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "private boots question"}]


class _Decorated(LLMClient):
    complete = traced_llm_call(LLMClient.complete)  # type: ignore[assignment]
    stream = traced_llm_stream(LLMClient.stream)  # type: ignore[assignment]


# once llm.py applies the decorators itself, test the real class (and never trace twice)
TracedLLMClient = LLMClient if hasattr(LLMClient.complete, "__wrapped__") else _Decorated


@pytest.fixture(scope="module")
def stub() -> Iterator[OpenAIStubServer]:
    server = OpenAIStubServer().start()
    yield server
    server.stop()


@pytest.fixture
def llm(stub: OpenAIStubServer) -> LLMClient:
    stub.reset()
    stub.mode = "fixed"
    stub.fixed_text = "Here are two boots."
    return TracedLLMClient("sk-test", "stub-model", base_url=stub.base_url, timeout_s=1.0, max_retries=0)


async def test_completion_span_has_genai_usage(llm: LLMClient, spans) -> None:  # type: ignore[no-untyped-def]
    text, usage = await llm.complete(MESSAGES, max_tokens=50)
    assert text == "Here are two boots."
    (span,) = spans.get_finished_spans()
    assert span.name == "chat stub-model" and span.kind == SpanKind.CLIENT
    attrs = span.attributes
    assert attrs["gen_ai.request.model"] == "stub-model"
    assert attrs["gen_ai.request.max_tokens"] == 50
    assert attrs["gen_ai.usage.input_tokens"] == usage.prompt_tokens > 0
    assert attrs["gen_ai.usage.output_tokens"] == usage.completion_tokens > 0
    assert attrs["server.address"] == "127.0.0.1"
    assert "private" not in repr(dict(attrs)) + repr([e.attributes for e in span.events])
    await llm.aclose()


async def test_stream_span_records_finish_reason(llm: LLMClient, spans) -> None:  # type: ignore[no-untyped-def]
    state = StreamState()
    deltas = [d async for d in llm.stream(MESSAGES, state)]
    assert "".join(deltas) == "Here are two boots."
    (span,) = spans.get_finished_spans()
    assert tuple(span.attributes["gen_ai.response.finish_reasons"]) == (state.finish_reason,) == ("stop",)
    assert span.attributes["gen_ai.usage.output_tokens"] == state.usage.completion_tokens > 0
    await llm.aclose()


async def test_failures_are_error_spans(llm: LLMClient, stub: OpenAIStubServer, spans) -> None:  # type: ignore[no-untyped-def]
    stub.error_status = 500
    with pytest.raises(LLMFailure):
        await llm.complete(MESSAGES)
    stub.error_status = None
    stub.delay_s = 3.0
    with pytest.raises(LLMFailure):
        async for _ in llm.stream(MESSAGES, StreamState()):
            pass
    error, timeout = spans.get_finished_spans()
    assert error.status.status_code == StatusCode.ERROR and error.attributes["error.type"] == "llm-error"
    assert (
        timeout.status.status_code == StatusCode.ERROR and timeout.attributes["error.type"] == "llm-timeout"
    )
    await llm.aclose()
