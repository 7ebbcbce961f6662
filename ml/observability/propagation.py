"""W3C ``traceparent`` into outgoing ``httpx`` calls — needs only ``opentelemetry-api``, so the
inference clients in ``ml/clients`` can use it in every image (flows included).

Without an active span nothing is injected; without a configured SDK spans are non-recording
and nothing is injected either.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import httpx
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

PROPAGATOR = TraceContextTextMapPropagator()


def inject_trace_headers(headers: MutableMapping[str, str]) -> None:
    """Write ``traceparent`` (and ``tracestate``) for the current span into ``headers``."""
    PROPAGATOR.inject(headers)


def _inject_request(request: httpx.Request) -> None:
    carrier: dict[str, str] = {}
    inject_trace_headers(carrier)
    for key, value in carrier.items():
        request.headers[key] = value


async def _inject_request_async(request: httpx.Request) -> None:
    _inject_request(request)


def httpx_event_hooks(asynchronous: bool = False) -> dict[str, list[Any]]:
    """``event_hooks=`` for ``httpx.Client`` (or ``AsyncClient`` with ``asynchronous=True``)."""
    return {"request": [_inject_request_async if asynchronous else _inject_request], "response": []}


def instrument_httpx_client(client: httpx.Client | httpx.AsyncClient) -> None:
    """Add the ``traceparent`` hook to an existing client (idempotent)."""
    hook: Any = _inject_request_async if isinstance(client, httpx.AsyncClient) else _inject_request
    hooks = client.event_hooks
    request_hooks = list(hooks.get("request", []))
    if hook not in request_hooks:
        request_hooks.append(hook)
        hooks["request"] = request_hooks
        client.event_hooks = hooks
