"""OpenTelemetry for every ShopTalk process, without extra instrumentation packages.

* :func:`configure_tracing` — one global ``TracerProvider`` per process (resource
  ``service.name``), exporter chosen by ``settings.otel_exporter`` (``none`` | ``console`` |
  ``otlp`` → ``settings.otel_endpoint``), optionally a JSON-lines file (``settings.otel_spans_file``),
  W3C ``traceparent`` propagation. Idempotent: later calls return the same provider.
* :class:`TracingMiddleware` / :func:`install_asgi_tracing` — a SERVER span per HTTP request,
  named ``"METHOD /route/{template}"`` (never the raw path), continuing an incoming ``traceparent``.
* :func:`inject_trace_headers`, :func:`httpx_event_hooks`, :func:`instrument_httpx_client` —
  put the current context into outgoing ``httpx`` requests (the KServe clients in ``ml/clients``).
* :func:`llm_span` — a CLIENT span following the GenAI semantic conventions (``gen_ai.*``); prompt
  and answer text only when ``settings.otel_capture_content`` is on.
* :func:`add_memory_exporter` — collect finished spans in memory (tests).

``ml/`` stays framework-free: the middleware is plain ASGI.
"""

from __future__ import annotations

import contextlib
import functools
import json
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode

from ml.logging import get_logger
from ml.observability.propagation import (  # re-exported: the public tracing API
    PROPAGATOR as _PROPAGATOR,
)
from ml.observability.propagation import (
    httpx_event_hooks,
    inject_trace_headers,
    instrument_httpx_client,
)

log = get_logger(__name__)

__all__ = [
    "add_memory_exporter",
    "build_provider",
    "configure_tracing",
    "httpx_event_hooks",
    "inject_trace_headers",
    "install_asgi_tracing",
    "install_kserve_tracing",
    "install_tracing",
    "instrument_httpx_client",
    "llm_span",
    "stage_span",
    "traced_llm_call",
    "traced_llm_stream",
]

_lock = threading.Lock()
_provider: TracerProvider | None = None
DEFAULT_EXCLUDED_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/v2/health/live", "/v2/health/ready"})


# --- exporters ------------------------------------------------------------------------------
def span_to_dict(span: ReadableSpan) -> dict[str, Any]:
    """A flat, JSON-friendly view of a finished span (ids as lowercase hex)."""
    ctx = span.get_span_context()
    parent = span.parent
    return {
        "name": span.name,
        "kind": span.kind.name if span.kind is not None else None,
        "service": (span.resource.attributes.get("service.name") if span.resource else None),
        "trace_id": format(ctx.trace_id, "032x") if ctx else None,
        "span_id": format(ctx.span_id, "016x") if ctx else None,
        "parent_span_id": format(parent.span_id, "016x") if parent is not None else None,
        "start_ns": span.start_time,
        "end_ns": span.end_time,
        "status": span.status.status_code.name,
        "attributes": dict(span.attributes or {}),
    }


class JsonLinesSpanExporter(SpanExporter):
    """Appends one JSON object per finished span to a file (local debugging, cross-process tests)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = "".join(json.dumps(span_to_dict(s), default=str) + "\n" for s in spans)
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(lines)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None


def read_spans_file(path: Path) -> list[dict[str, Any]]:
    """Spans written by :class:`JsonLinesSpanExporter` (missing file: none)."""
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build_provider(service_name: str, settings: Any | None = None) -> TracerProvider:
    """A new provider with the exporters ``settings`` asks for (not installed globally)."""
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    exporter = getattr(settings, "otel_exporter", "none") if settings is not None else "none"
    if exporter == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    elif exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = getattr(settings, "otel_endpoint", None)
        if endpoint and not endpoint.rstrip("/").endswith("/v1/traces"):
            endpoint = endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    spans_file = getattr(settings, "otel_spans_file", None) if settings is not None else None
    if spans_file:
        provider.add_span_processor(SimpleSpanProcessor(JsonLinesSpanExporter(Path(spans_file))))
    return provider


def configure_tracing(service_name: str, settings: Any | None = None) -> TracerProvider:
    """Install the process-wide provider and the W3C propagator once; later calls return it."""
    global _provider
    with _lock:
        if _provider is not None:
            return _provider
        existing = trace.get_tracer_provider()
        if isinstance(existing, TracerProvider):  # somebody else configured the SDK already
            _provider = existing
        else:
            _provider = build_provider(service_name, settings)
            trace.set_tracer_provider(_provider)
        propagate.set_global_textmap(_PROPAGATOR)
        log.info(
            "tracing.configured",
            service=service_name,
            exporter=getattr(settings, "otel_exporter", "none"),
            spans_file=str(getattr(settings, "otel_spans_file", None) or "") or None,
        )
        return _provider


def add_memory_exporter(provider: TracerProvider | None = None) -> InMemorySpanExporter:
    """Collect every span finished from now on in memory (the global provider by default)."""
    target = provider or _provider
    if target is None:
        target = configure_tracing("shoptalk-test")
    exporter = InMemorySpanExporter()
    target.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


# --- server spans (plain ASGI) ----------------------------------------------------------------
def _route_template(scope: Mapping[str, Any]) -> str | None:
    route = scope.get("route")
    path = getattr(route, "path", None) or getattr(route, "path_format", None)
    return str(path) if path else None


class TracingMiddleware:
    """A SERVER span per HTTP request, continuing the caller's ``traceparent``.

    The span is named after the matched route template (``POST /v2/models/{model_name}/infer``),
    known only once routing ran, so the name is set at the end; unmatched paths are
    ``"METHOD unmatched"``. The query string is never recorded (it can hold shopper text).
    """

    def __init__(
        self,
        app: Any,
        tracer_provider: trace.TracerProvider | None = None,
        excluded_paths: frozenset[str] = DEFAULT_EXCLUDED_PATHS,
    ) -> None:
        self.app = app
        self.tracer = trace.get_tracer("shoptalk.http", tracer_provider=tracer_provider)
        self.excluded_paths = excluded_paths

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or scope.get("path") in self.excluded_paths:
            await self.app(scope, receive, send)
            return
        carrier = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        parent = _PROPAGATOR.extract(carrier)
        method = str(scope.get("method", "GET"))
        status_code = 500
        with self.tracer.start_as_current_span(
            method, context=parent, kind=SpanKind.SERVER, record_exception=True, set_status_on_exception=True
        ) as span:
            span.set_attribute("http.request.method", method)
            span.set_attribute("url.scheme", str(scope.get("scheme", "http")))
            span.set_attribute("url.path", str(scope.get("path", "")))

            async def send_wrapper(message: Any) -> None:
                nonlocal status_code
                if message.get("type") == "http.response.start":
                    status_code = int(message["status"])
                await send(message)

            try:
                await self.app(scope, receive, send_wrapper)
            finally:
                route = _route_template(scope)
                span.update_name(f"{method} {route or 'unmatched'}")
                if route:
                    span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status_code)
                if status_code >= 500:
                    span.set_status(Status(StatusCode.ERROR, f"HTTP {status_code}"))


def install_asgi_tracing(
    app: Any,
    tracer_provider: trace.TracerProvider | None = None,
    excluded_paths: frozenset[str] = DEFAULT_EXCLUDED_PATHS,
) -> None:
    """Add :class:`TracingMiddleware` to a Starlette/FastAPI app (outermost; idempotent)."""
    state = getattr(app, "state", None)
    if state is not None and getattr(state, "shoptalk_tracing", False):
        return
    # FastAPI >= 0.150 traces natively once a provider is set (``FastAPI(telemetry=...)``), but
    # records the raw query string (shopper text) and traces probes: one server span, ours.
    native = getattr(app, "_telemetry", None)
    if isinstance(native, dict):
        native["tracing"] = False
    app.add_middleware(TracingMiddleware, tracer_provider=tracer_provider, excluded_paths=excluded_paths)
    if state is not None:
        state.shoptalk_tracing = True


def install_tracing(app: Any, settings: Any, service_name: str = "shoptalk-gateway") -> TracerProvider:
    """Configure the process provider from ``settings`` and trace every request of ``app``."""
    provider = configure_tracing(service_name, settings)
    install_asgi_tracing(app)
    return provider


# --- stage spans and LLM spans ------------------------------------------------------------------
_stage_tracer = trace.get_tracer("shoptalk.gateway")


@contextmanager
def stage_span(name: str, **attributes: Any) -> Iterator[trace.Span]:
    """An INTERNAL span for one pipeline stage (``asr``, ``query_rewrite``, ``tts`` …)."""
    with _stage_tracer.start_as_current_span(name) as span:
        for key, value in attributes.items():
            if value is not None:
                span.set_attribute(f"shoptalk.{key}", value)
        yield span


class LLMSpan:
    """Handle yielded by :func:`llm_span`: record usage, finish reasons and (opt-in) content."""

    def __init__(self, span: trace.Span, capture_content: bool) -> None:
        self.span = span
        self.capture_content = capture_content
        self.failed = False

    def record_usage(self, input_tokens: int | None, output_tokens: int | None) -> None:
        if input_tokens is not None:
            self.span.set_attribute("gen_ai.usage.input_tokens", int(input_tokens))
        if output_tokens is not None:
            self.span.set_attribute("gen_ai.usage.output_tokens", int(output_tokens))

    def record_finish_reasons(self, reasons: Sequence[str | None]) -> None:
        clean = [r for r in reasons if r]
        if clean:
            self.span.set_attribute("gen_ai.response.finish_reasons", clean)

    def record_response(
        self, text: str, response_model: str | None = None, response_id: str | None = None
    ) -> None:
        if response_model:
            self.span.set_attribute("gen_ai.response.model", response_model)
        if response_id:
            self.span.set_attribute("gen_ai.response.id", response_id)
        if self.capture_content:
            self.span.add_event("gen_ai.choice", {"gen_ai.completion": text})

    def record_failure(self, reason: str) -> None:
        """``reason`` is the gateway's degradation reason (``llm-timeout`` | ``llm-error``)."""
        self.failed = True
        self.span.set_attribute("error.type", reason)
        self.span.set_status(Status(StatusCode.ERROR, reason))


@contextmanager
def llm_span(
    model: str,
    *,
    system: str = "openai",
    operation: str = "chat",
    messages: Sequence[Mapping[str, Any]] | None = None,
    settings: Any | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
    server_address: str | None = None,
    capture_content: bool | None = None,
    set_current: bool = True,
) -> Iterator[LLMSpan]:
    """A CLIENT span ``"chat gpt-4o"`` with the GenAI attributes; no text unless opted in.

    Usage::

        with llm_span(self.model, messages=messages, settings=settings) as s:
            response = await client.chat.completions.create(...)
            s.record_usage(response.usage.prompt_tokens, response.usage.completion_tokens)
            s.record_finish_reasons([c.finish_reason for c in response.choices])

    An exception escaping the block marks the span as an error (``error.type`` = class name).
    """
    if capture_content is None:
        capture_content = bool(getattr(settings, "otel_capture_content", False))
    capture = capture_content
    tracer = trace.get_tracer("shoptalk.llm")
    name = f"{operation} {model}"
    options: dict[str, Any] = {
        "kind": SpanKind.CLIENT,
        "record_exception": False,
        "set_status_on_exception": False,
    }
    # ``set_current=False`` for async generators: a span attached as current across ``yield``
    # would be detached in another context when the consumer runs in a different task.
    manager = (
        tracer.start_as_current_span(name, **options)
        if set_current
        else _ended_on_exit(tracer.start_span(name, **options))
    )
    with manager as span:
        span.set_attribute("gen_ai.system", system)
        span.set_attribute("gen_ai.provider.name", system)
        span.set_attribute("gen_ai.operation.name", operation)
        span.set_attribute("gen_ai.request.model", model)
        if max_tokens is not None:
            span.set_attribute("gen_ai.request.max_tokens", max_tokens)
        if temperature is not None:
            span.set_attribute("gen_ai.request.temperature", temperature)
        if server_address:
            span.set_attribute("server.address", server_address)
        if capture and messages:
            span.add_event("gen_ai.prompt", {"gen_ai.prompt": json.dumps(list(messages), default=str)})
        handle = LLMSpan(span, capture)
        try:
            yield handle
        except BaseException as exc:
            if not handle.failed:
                span.set_attribute("error.type", type(exc).__name__)
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise


def current_trace_id() -> str | None:
    """The current OpenTelemetry trace id (32 hex digits) when a span is recording, else ``None``."""
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


def new_trace_id() -> str:
    """The current trace id when a span is recording, else a fresh random one (same format)."""
    return current_trace_id() or uuid.uuid4().hex


def install_kserve_tracing(service_name: str, settings: Any | None = None) -> TracerProvider:
    """Trace a KServe ``ModelServer`` process: call before ``ModelServer.start``.

    KServe serves the module-level FastAPI app ``kserve.model_server.app``; its REST server adds
    its own middlewares to that app at start, ours stays in the stack (idempotent).
    """
    from kserve import model_server

    provider = configure_tracing(service_name, settings)
    install_asgi_tracing(model_server.app)
    return provider


@contextmanager
def _ended_on_exit(span: trace.Span) -> Iterator[trace.Span]:
    """A span that is not made current (its children are not parented to it), ended on exit."""
    try:
        yield span
    finally:
        span.end()


# --- decorators for an LLM client (duck-typed: the gateway's ``LLMClient``) -----------------------
def _capture_content(client: Any) -> bool:
    """``client.capture_content`` when set, else the process setting ``otel_capture_content``."""
    value = getattr(client, "capture_content", None)
    if value is None:
        from ml.config import get_settings

        value = get_settings().otel_capture_content
    return bool(value)


def _server_address(client: Any) -> str | None:
    base_url = getattr(getattr(client, "client", None), "base_url", None)
    host = getattr(base_url, "host", None)
    return str(host) if host else None


def traced_llm_call(func: Any) -> Any:
    """Wrap ``async def complete(self, messages, *, max_tokens=…) -> (text, usage)`` in an LLM span.

    Reads ``self.model``, optional ``self.capture_content``; ``usage.prompt_tokens`` /
    ``completion_tokens`` / optional ``finish_reason``; a raised exception's ``reason``
    (``llm-timeout`` | ``llm-error``) becomes ``error.type``.
    """

    @functools.wraps(func)
    async def wrapper(self: Any, messages: Any, *args: Any, **kwargs: Any) -> Any:
        with llm_span(
            str(getattr(self, "model", "unknown")),
            messages=messages,
            max_tokens=kwargs.get("max_tokens"),
            capture_content=_capture_content(self),
            server_address=_server_address(self),
        ) as span:
            try:
                result = await func(self, messages, *args, **kwargs)
            except Exception as exc:
                span.record_failure(str(getattr(exc, "reason", type(exc).__name__)))
                raise
            text, usage = result
            span.record_usage(
                getattr(usage, "prompt_tokens", None), getattr(usage, "completion_tokens", None)
            )
            span.record_finish_reasons([getattr(usage, "finish_reason", None)])
            span.record_response(str(text))
            return result

    return wrapper


def traced_llm_stream(func: Any) -> Any:
    """Wrap ``async def stream(self, messages, state, …)`` (an async generator of text deltas).

    After the stream ends, ``state.usage`` and ``state.finish_reason`` go on the span.
    """

    @functools.wraps(func)
    async def wrapper(self: Any, messages: Any, state: Any, *args: Any, **kwargs: Any) -> Any:
        capture = _capture_content(self)
        with llm_span(
            str(getattr(self, "model", "unknown")),
            messages=messages,
            max_tokens=kwargs.get("max_tokens"),
            capture_content=capture,
            server_address=_server_address(self),
            set_current=False,
        ) as span:
            parts: list[str] = []
            try:
                # aclosing: a consumer that stops early (client disconnect) closes the inner stream now
                async with contextlib.aclosing(func(self, messages, state, *args, **kwargs)) as deltas:
                    async for delta in deltas:
                        if capture:
                            parts.append(delta)
                        yield delta
            except Exception as exc:
                span.record_failure(str(getattr(exc, "reason", type(exc).__name__)))
                raise
            usage = getattr(state, "usage", None)
            span.record_usage(
                getattr(usage, "prompt_tokens", None), getattr(usage, "completion_tokens", None)
            )
            span.record_finish_reasons([getattr(state, "finish_reason", None)])
            span.record_response("".join(parts))

    return wrapper
