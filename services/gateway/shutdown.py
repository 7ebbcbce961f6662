"""Close every client the gateway holds when it stops: index connections (Milvus), HTTP pools
(remote embedder, reranker), and whatever else the searcher carries. Each close is best-effort:
one failing close never skips the others."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool

from ml.logging import get_logger

log = get_logger(__name__)

SEARCHER_PARTS = ("keyword", "vector", "embedder", "reranker")


async def close_quietly(name: str, obj: Any) -> bool:
    """``aclose()`` or ``close()`` (sync ones in a worker thread); ``True`` when one ran."""
    if obj is None:
        return False
    try:
        aclose = getattr(obj, "aclose", None)
        if callable(aclose):
            await aclose()
            return True
        close = getattr(obj, "close", None)
        if callable(close):
            await run_in_threadpool(close)
            return True
    except Exception as exc:
        log.warning("gateway.close_failed", part=name, error=str(exc)[:200])
    return False


async def close_searcher(searcher: Any) -> list[str]:
    """Close the searcher's indexes and model clients; returns the names closed."""
    closed = []
    seen: set[int] = set()
    for name in SEARCHER_PARTS:
        part = getattr(searcher, name, None)
        if part is None or id(part) in seen:
            continue
        seen.add(id(part))
        if await close_quietly(name, part):
            closed.append(name)
    return closed
