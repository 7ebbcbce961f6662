"""``GET /healthz`` (alive), ``GET /readyz`` (indexes, models, session store), ``GET /metrics``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from ml.retrieval.engine import HybridSearcher
from services.gateway import metrics
from services.gateway.deps import get_orchestrator
from services.gateway.orchestrator import ChatOrchestrator
from services.gateway.schemas import ReadinessResponse

router = APIRouter(tags=["operations"])


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
    detail.update(await run_in_threadpool(refresh_index_gauges, searcher))
    for name, ok in checks.items():
        if not ok and name not in detail:
            detail[name] = "not reachable" if name != "embedder" else "not configured"
    ready = all(checks.values())
    body = ReadinessResponse(ready=ready, checks=checks, detail=detail)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def prometheus_metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
