"""Server-Sent Events framing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

Event = tuple[str, Any]


def sse_event(event: str, data: Any) -> bytes:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event}\ndata: {payload}\n\n".encode()


async def sse_stream(events: AsyncIterator[tuple[str, Any]], trace_id: str) -> AsyncIterator[bytes]:
    """Frame events; an unexpected failure mid-stream becomes an ``error`` event, not a cut connection."""
    try:
        async for name, data in events:
            yield sse_event(name, data)
    except Exception as exc:
        from ml.logging import get_logger

        get_logger(__name__).exception("chat.stream_failed", trace_id=trace_id)
        yield sse_event(
            "error", {"error": "internal error", "detail": type(exc).__name__, "trace_id": trace_id}
        )
