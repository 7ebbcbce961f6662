"""The gateway's app factory: ``create_app(settings, searcher, ...)``.

Run it with ``shoptalk serve gateway``. Everything the routes need hangs off ``app.state``:
``settings`` and ``orchestrator`` (which the voice route reuses).
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ml.config import Settings, get_settings
from ml.logging import get_logger
from ml.observability.tracing import install_tracing
from ml.retrieval.engine import HybridSearcher
from ml.understanding.understand import IntentModel
from services.gateway.api_docs import install_offline_docs
from services.gateway.deps import trace_id
from services.gateway.handoff import build_handoff_store
from services.gateway.llm import LLMClient
from services.gateway.middleware import MetricsMiddleware
from services.gateway.orchestrator import ChatOrchestrator
from services.gateway.routes import agent, catalog, chat, health
from services.gateway.security import install_security
from services.gateway.sessions import SessionStore, build_session_store
from services.gateway.shutdown import close_quietly, close_searcher
from services.gateway.understanding import build_understander

log = get_logger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _clean_errors(errors: Any) -> list[dict[str, Any]]:
    """Validation errors without echoing the input back (it may be 100 KB)."""
    out = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ())]
        out.append({"loc": loc, "msg": error.get("msg", "invalid"), "type": error.get("type", "value_error")})
    return out


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _clean_errors(exc.errors())
        reason = "; ".join(
            f"{'.'.join(e['loc'][1:]) or e['loc'][0] if e['loc'] else 'request'}: {e['msg']}" for e in errors
        )
        return JSONResponse(
            {"error": f"invalid request: {reason}", "detail": errors, "trace_id": trace_id(request)},
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": str(exc.detail), "detail": None, "trace_id": trace_id(request)},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        tid = trace_id(request)
        log.exception("request.failed", trace_id=tid, path=request.url.path)
        return JSONResponse(
            {"error": "internal error", "detail": None, "trace_id": tid},
            status_code=500,
            headers={"x-trace-id": tid},
        )


def _include_voice(app: FastAPI) -> None:
    """The voice route lives in ``services.gateway.voice`` (optional: included when it imports)."""
    try:
        module = importlib.import_module("services.gateway.voice")
    except ImportError as exc:
        log.info("gateway.voice_unavailable", reason=str(exc))
        return
    router = getattr(module, "router", None)
    if router is not None:
        app.include_router(router)


def _build_voice(app: FastAPI, settings: Settings) -> Any:
    """The voice route's components (ASR client, Whisper, TTS), one set per app; None without voice."""
    try:
        from services.gateway.voice import VoiceComponents
    except ImportError:
        return None
    app.state.voice = VoiceComponents(settings)
    return app.state.voice


def attach_query_log(searcher: HybridSearcher, settings: Settings) -> None:
    """Sampled query embeddings go to the drift log (no raw text unless configured)."""
    if settings.drift_sample_rate <= 0 or searcher.embedder is None:
        return
    from ml.drift.query_log import QueryEmbeddingLog

    query_log = QueryEmbeddingLog(settings)
    version = searcher.embedder.model_version

    def record(query: str, vector: Any) -> None:
        query_log.record(vector, text=query, model_version=version)

    searcher.query_vector_listener = record


def create_app(
    settings: Settings | None = None,
    searcher: HybridSearcher | None = None,
    llm: LLMClient | bool | None = True,
    sessions: SessionStore | None = None,
    orchestrator: ChatOrchestrator | None = None,
    intent_model: IntentModel | None = None,
) -> FastAPI:
    """Build the gateway. ``llm=True`` builds the client from settings (none without a key).

    ``intent_model`` overrides the registry's champion (tests train one per session).
    """
    settings = settings or get_settings()
    owns_searcher = orchestrator is None and searcher is None  # built here: closed here on shutdown
    if orchestrator is None:
        if searcher is None:
            from ml.retrieval.factory import build_searcher

            searcher = build_searcher(settings)
            attach_query_log(searcher, settings)
        llm_client = LLMClient.from_settings(settings) if llm is True else (llm or None)
        orchestrator = ChatOrchestrator(
            searcher,
            sessions or build_session_store(settings),
            llm_client,
            settings,
            understander=build_understander(settings, searcher, intent_model),
        )
    elif orchestrator.understander is None:
        orchestrator.understander = build_understander(settings, orchestrator.searcher, intent_model)

    # the durable handoff queue (SQLite in data_dir, or PostgreSQL by URL); the policy shares it
    handoffs = getattr(orchestrator, "handoffs", None) or build_handoff_store(settings)
    if getattr(orchestrator, "handoffs", None) is None:
        orchestrator.handoffs = handoffs

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        errors = await run_in_threadpool(health.refresh_index_gauges, orchestrator.searcher)
        skew = await run_in_threadpool(health.startup_checks, orchestrator.searcher, settings)
        voice = _build_voice(app, settings)
        if orchestrator.understander is not None:  # load the intent model's weights before turn one
            await run_in_threadpool(orchestrator.understander.warm_up)
        log.info(
            "gateway.started",
            llm=orchestrator.llm.model if orchestrator.llm else "offline",
            index_errors=errors,
            embedder_version_mismatch=skew,
        )
        yield
        await orchestrator.aclose()  # LLM client, session store (Redis)
        await handoffs.aclose()
        await close_quietly("voice", voice)
        closed = await close_searcher(orchestrator.searcher) if owns_searcher else []  # Milvus, HTTP pools
        log.info("gateway.stopped", closed=closed)

    app = FastAPI(
        title="ShopTalk gateway",
        version="1.0.0",
        description="Conversational shopping over the Amazon Berkeley Objects catalog: grounded answers, "
        "hybrid search, multi-turn sessions, streaming.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.orchestrator = orchestrator
    app.state.handoffs = handoffs
    # keys/JWT, rate limits, shedding, CORS and the one body limit: bodies over
    # SHOPTALK_MAX_BODY_BYTES (voice: the audio cap) are refused unread (413); smaller chat bodies
    # get a precise 422 reason from validation
    install_security(app, settings)
    app.add_middleware(MetricsMiddleware)
    install_tracing(app, settings)  # outermost: one SERVER span per request
    _install_error_handlers(app)
    app.include_router(chat.router)
    app.include_router(catalog.router)
    app.include_router(health.router)
    app.include_router(agent.router)  # agent console + handoff API (services/gateway/routes/agent.py)
    app.include_router(importlib.import_module("services.gateway.routes.recommend").router)  # recommendations
    _include_voice(app)

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_offline_docs(app)  # /docs and /redoc from local assets (services/gateway/api_docs.py)
    return app
