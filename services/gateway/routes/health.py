"""``GET /healthz`` (alive), ``GET /readyz`` (indexes, models, session store), ``GET /metrics``.

``/readyz`` asks the embedder for one short embedding (with a timeout, cached a few seconds) —
a configured but dead embedder is not ready — and compares the embedder's ``model_version`` with
a sample of the indexed vectors' (``embedder_version``: a mismatch is not ready, with the reason).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from ml.logging import get_logger
from ml.retrieval.engine import HybridSearcher
from ml.retrieval.model_skew import check_or_reload, check_versions
from services.gateway import metrics
from services.gateway.deps import get_orchestrator
from services.gateway.orchestrator import ChatOrchestrator
from services.gateway.schemas import ReadinessResponse

router = APIRouter(tags=["operations"])
log = get_logger(__name__)

PROBE_TTL_S = 5.0
PROBE_TIMEOUT_S = 3.0
PROBE_TEXT = "ready?"


@dataclass
class _Probe:
    at: float
    ok: bool
    detail: str | None


def _cached(searcher: Any, name: str) -> _Probe | None:
    probe: _Probe | None = getattr(searcher, f"_readyz_{name}", None)
    if probe is not None and time.monotonic() - probe.at < PROBE_TTL_S:
        return probe
    return None


async def embedder_answers(searcher: Any, timeout_s: float = PROBE_TIMEOUT_S) -> tuple[bool, str | None]:
    """One short embedding within ``timeout_s`` (cached ``PROBE_TTL_S``): ``(ok, reason)``."""
    if getattr(searcher, "embedder", None) is None:
        return False, "not configured"
    probe = _cached(searcher, "embedder")
    if probe is None:
        try:
            await asyncio.wait_for(run_in_threadpool(searcher.embedder.embed, [PROBE_TEXT]), timeout_s)
            probe = _Probe(time.monotonic(), True, None)
        except TimeoutError:
            probe = _Probe(time.monotonic(), False, f"no embedding within {timeout_s:g}s")
        except Exception as exc:
            probe = _Probe(time.monotonic(), False, f"{type(exc).__name__}: {exc}"[:200])
        searcher._readyz_embedder = probe
    return probe.ok, probe.detail


async def embedder_version_matches(searcher: Any) -> tuple[bool, str | None]:
    """The query embedder's version is among the sampled indexed vectors' (cached ``PROBE_TTL_S``)."""
    probe = _cached(searcher, "version")
    if probe is None:
        check = await run_in_threadpool(check_versions, searcher)
        probe = _Probe(time.monotonic(), not check.mismatch, check.reason)
        searcher._readyz_version = probe
    return probe.ok, probe.detail


def startup_checks(searcher: HybridSearcher, settings: Any) -> str | None:
    """At start-up: model-version skew (refuse or reload as configured). Returns the skew reason."""
    try:
        check = check_or_reload(searcher, settings)
    except Exception as exc:  # never fail start-up on the check itself
        log.warning("gateway.version_check_failed", error=str(exc)[:200])
        return None
    return check.reason


@router.get("/healthz", summary="Liveness: the process serves HTTP")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def refresh_index_gauges(searcher: HybridSearcher) -> dict[str, str]:
    """Refresh the document-count gauges; returns error details per index."""
    errors: dict[str, str] = {}
    for label, index in (("keyword", searcher.keyword), ("vector", searcher.vector)):
        if index is None:
            continue
        try:
            metrics.INDEX_DOCUMENTS.labels(index=label).set(index.count())
        except Exception as exc:
            errors[f"{label}_index"] = f"{type(exc).__name__}: {exc}"[:200]
    return errors


@router.get(
    "/readyz",
    response_model=ReadinessResponse,
    responses={503: {"model": ReadinessResponse, "description": "Some dependency is not reachable."}},
    summary="Readiness: both indexes, the embedding model and the session store are reachable",
)
async def readyz(orchestrator: ChatOrchestrator = Depends(get_orchestrator)) -> JSONResponse:
    searcher = orchestrator.searcher
    detail: dict[str, str] = {}
    try:
        checks = await run_in_threadpool(searcher.readiness)
    except Exception as exc:
        checks = {"keyword_index": False, "vector_index": False, "embedder": False}
        detail["search"] = f"{type(exc).__name__}: {exc}"[:200]
    checks["sessions"] = await orchestrator.sessions.ping()
    checks["embedder"], embedder_detail = await embedder_answers(searcher)
    if embedder_detail:
        detail["embedder"] = embedder_detail
    if checks["embedder"] and searcher.vector is not None:
        checks["embedder_version"], version_detail = await embedder_version_matches(searcher)
        if version_detail:
            detail["embedder_version"] = version_detail
    detail.update(await run_in_threadpool(refresh_index_gauges, searcher))
    for name, ok in checks.items():
        if not ok and name not in detail:
            detail[name] = "not reachable"
    ready = all(checks.values())
    body = ReadinessResponse(ready=ready, checks=checks, detail=detail)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def prometheus_metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
