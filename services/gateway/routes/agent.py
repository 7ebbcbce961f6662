"""Human handoff over HTTP: the agent console and its API, and the shopper's side of a handoff.

Agent side (an admin path: with ``SHOPTALK_API_KEYS`` set, ``/v1/agent/*`` needs a key — the
security middleware answers 401 without one):

* ``GET /agent`` — the console page (static HTML/JS; it sends the key as ``X-API-Key``). With keys
  configured and no valid key on the request the page comes with status 401 and asks for the key;
  it holds no data itself;
* ``GET /v1/agent/handoffs?status=active|open|assigned|closed|all`` — the queue;
* ``GET /v1/agent/handoffs/{id}`` — one handoff with transcript and summary;
* ``POST /v1/agent/handoffs/{id}/messages`` ``{text, agent}`` — a reply into the shopper's session
  (an ``open`` handoff is assigned to the replying agent first);
* ``POST /v1/agent/handoffs/{id}/assign`` ``{agent}``, ``POST /v1/agent/handoffs/{id}/close``.

Shopper side (``/v1`` rules apply):

* ``POST /v1/handoffs`` ``{session_id, reason}`` — accept an offered handoff: opens it with the
  session's transcript and a summary (the LLM's when configured, else extractive);
* ``GET /v1/sessions/{session_id}/messages?after=N`` — agent replies and notices with ``seq > N``.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable
from pathlib import Path as FilePath
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ml.config import Settings
from ml.logging import get_logger
from services.gateway import metrics
from services.gateway.handoff import (
    REASONS,
    Handoff,
    HandoffClosed,
    HandoffMessage,
    HandoffNotFound,
    HandoffStore,
    StatusFilter,
)
from services.gateway.handoff_summary import summarize_with_llm, transcript_of
from services.gateway.schemas import SESSION_ID_PATTERN, ErrorResponse, HandoffInfo
from services.gateway.security import parse_api_keys
from services.gateway.sessions import owned_id, turn_lock

log = get_logger(__name__)
router = APIRouter(tags=["handoff"])
STATIC_DIR = FilePath(__file__).resolve().parents[1] / "static"
HANDOFF_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
MAX_REPLY_CHARS = 4000
T = TypeVar("T")

Reason = Literal["asked", "service", "repeated-no-match", "rephrasing", "frustration"]
assert set(REASONS) == set(Reason.__args__)  # type: ignore[attr-defined]

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "No such handoff."},
    409: {"model": ErrorResponse, "description": "The handoff is closed."},
    503: {"model": ErrorResponse, "description": "The handoff store is unreachable."},
}


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_orchestrator(request: Request) -> Any:
    """The chat orchestrator (its ``sessions`` store and ``llm`` client are used here)."""
    return request.app.state.orchestrator


def get_handoffs(request: Request) -> HandoffStore:
    store: HandoffStore | None = getattr(request.app.state, "handoffs", None)
    if store is None:
        raise HTTPException(503, "handoffs are not configured on this gateway")
    return store


async def _call(awaitable: Awaitable[T]) -> T:
    """Store errors as HTTP: unknown → 404, closed → 409, unreachable → 503 (never a bare 500)."""
    try:
        return await awaitable
    except HandoffNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    except HandoffClosed as exc:
        raise HTTPException(409, str(exc)) from exc
    except (OSError, TimeoutError, ConnectionError) as exc:
        log.warning("handoff.store_unavailable", error=type(exc).__name__)
        raise HTTPException(503, "handoff store unavailable, try again shortly") from exc
    except Exception as exc:
        if type(exc).__module__.split(".")[0] in {"asyncpg", "sqlite3"}:
            log.warning("handoff.store_error", error=type(exc).__name__)
            raise HTTPException(503, "handoff store unavailable, try again shortly") from exc
        raise


# --- bodies and responses ---------------------------------------------------------------------------
class AgentReply(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=MAX_REPLY_CHARS, description="What the agent writes.")
    agent: str | None = Field(default=None, max_length=64, description="The agent's display name.")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be blank")
        return value


class AssignBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agent: str = Field(min_length=1, max_length=64)


class CloseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agent: str | None = Field(default=None, max_length=64)


class OpenHandoff(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: str = Field(pattern=SESSION_ID_PATTERN)
    reason: Reason = "asked"


class HandoffList(BaseModel):
    handoffs: list[Handoff]


class ShopperMessages(BaseModel):
    messages: list[HandoffMessage] = Field(description="Agent replies and notices, oldest first.")
    next_after: int = Field(description="Pass as ?after= on the next poll.")
    handoff: HandoffInfo | None = Field(default=None, description="The session's current handoff, if any.")


def _agent_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    return name or "Agent"


# --- the console page -------------------------------------------------------------------------------
def _has_valid_key(request: Request, settings: Settings) -> bool:
    keys = parse_api_keys(settings.api_keys)
    auth = request.headers.get("authorization", "")
    presented = auth[7:].strip() if auth[:7].lower() == "bearer " else request.headers.get("x-api-key", "")
    ok = False
    for key in keys:  # constant time over the key list
        ok |= hmac.compare_digest(presented.strip().encode(), key.encode())
    return ok


@router.get("/agent", include_in_schema=False)
async def agent_console(request: Request, settings: Settings = Depends(get_settings)) -> FileResponse:
    locked = bool(parse_api_keys(settings.api_keys)) and not _has_valid_key(request, settings)
    return FileResponse(
        STATIC_DIR / "agent.html",
        status_code=401 if locked else 200,
        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"},
    )


# --- agent API ------------------------------------------------------------------------------------------
@router.get(
    "/v1/agent/handoffs",
    response_model=HandoffList,
    responses={503: ERRORS[503]},
    summary="Handoffs in the queue (active = open + assigned, oldest first)",
)
async def list_handoffs(
    status: StatusFilter = Query("active"),
    limit: int = Query(100, ge=1, le=500),
    store: HandoffStore = Depends(get_handoffs),
) -> HandoffList:
    return HandoffList(handoffs=await _call(store.list_handoffs(status, limit)))


@router.get(
    "/v1/agent/handoffs/{handoff_id}",
    response_model=Handoff,
    responses={404: ERRORS[404], 503: ERRORS[503]},
    summary="One handoff with its transcript and summary",
)
async def get_handoff(
    handoff_id: str = PathParam(pattern=HANDOFF_ID_PATTERN), store: HandoffStore = Depends(get_handoffs)
) -> Handoff:
    handoff = await _call(store.get(handoff_id))
    if handoff is None:
        raise HTTPException(404, f"no handoff {handoff_id!r}")
    return handoff


@router.post(
    "/v1/agent/handoffs/{handoff_id}/messages",
    response_model=HandoffMessage,
    status_code=201,
    responses=ERRORS,
    summary="Reply to the shopper (committed before the response; the shopper's client polls for it)",
)
async def agent_reply(
    body: AgentReply,
    handoff_id: str = PathParam(pattern=HANDOFF_ID_PATTERN),
    store: HandoffStore = Depends(get_handoffs),
) -> HandoffMessage:
    agent = _agent_name(body.agent)
    current = await _call(store.get(handoff_id))
    if current is None:
        raise HTTPException(404, f"no handoff {handoff_id!r}")
    if current.status == "open":
        await _call(store.assign(handoff_id, agent))
    message = await _call(store.add_message(handoff_id, "agent", body.text.strip(), author=agent))
    log.info("handoff.agent_reply", handoff_id=handoff_id, seq=message.seq, chars=len(message.text))
    return message


@router.post(
    "/v1/agent/handoffs/{handoff_id}/assign",
    response_model=Handoff,
    responses=ERRORS,
    summary="Take the handoff (open → assigned)",
)
async def assign_handoff(
    body: AssignBody,
    handoff_id: str = PathParam(pattern=HANDOFF_ID_PATTERN),
    store: HandoffStore = Depends(get_handoffs),
) -> Handoff:
    return await _call(store.assign(handoff_id, _agent_name(body.agent)))


@router.post(
    "/v1/agent/handoffs/{handoff_id}/close",
    response_model=Handoff,
    responses={404: ERRORS[404], 503: ERRORS[503]},
    summary="Close the handoff (idempotent); the shopper is told",
)
async def close_handoff(
    handoff_id: str = PathParam(pattern=HANDOFF_ID_PATTERN),
    body: CloseBody | None = Body(default=None),
    store: HandoffStore = Depends(get_handoffs),
) -> Handoff:
    return await _call(store.close(handoff_id, _agent_name(body.agent) if body and body.agent else None))


# --- shopper side -----------------------------------------------------------------------------------------
@router.post(
    "/v1/handoffs",
    response_model=HandoffInfo,
    status_code=201,
    responses={404: {"model": ErrorResponse, "description": "Unknown session."}, 503: ERRORS[503]},
    summary="Talk to a person: open a handoff for this session (returns the active one if any)",
)
async def open_handoff(
    body: OpenHandoff,
    store: HandoffStore = Depends(get_handoffs),
    orchestrator: Any = Depends(get_orchestrator),
) -> HandoffInfo:
    if owned_id(orchestrator.sessions, body.session_id) is None:  # not an id this server issued
        raise HTTPException(404, "unknown or expired session: start a new conversation")
    async with turn_lock(orchestrator.sessions, body.session_id):  # not racing a chat turn's save
        return await _accept_handoff(body, store, orchestrator)


async def _accept_handoff(body: OpenHandoff, store: HandoffStore, orchestrator: Any) -> HandoffInfo:
    existing = await _call(store.get_open_for_session(body.session_id))
    if existing is not None:
        return HandoffInfo(status=existing.status, handoff_id=existing.handoff_id, reason=existing.reason)
    try:
        session = await orchestrator.sessions.get(body.session_id)
    except Exception as exc:
        raise HTTPException(503, "session store unavailable, try again shortly") from exc
    if session is None:
        raise HTTPException(404, "unknown or expired session: start a new conversation")
    state = getattr(session, "state", None)
    transcript = transcript_of(session)
    summary = await summarize_with_llm(orchestrator.llm, transcript, state, body.reason)
    handoff = await _call(store.open(body.session_id, body.reason, transcript, summary))
    if state is not None and hasattr(state, "handoff_id"):  # the dialogue policy knows from now on
        state.handoff_id = handoff.handoff_id
        if hasattr(state, "handoff_offered"):
            state.handoff_offered = None
        try:
            await orchestrator.sessions.save(session)
        except Exception as exc:  # the handoff is open either way
            log.warning("handoff.session_save_failed", error=str(exc)[:200])
    metrics.HANDOFFS.labels(reason=handoff.reason).inc()
    log.info("handoff.accepted", handoff_id=handoff.handoff_id, reason=body.reason)
    return HandoffInfo(status=handoff.status, handoff_id=handoff.handoff_id, reason=handoff.reason)


@router.get(
    "/v1/sessions/{session_id}/messages",
    response_model=ShopperMessages,
    responses={404: {"model": ErrorResponse, "description": "Unknown session."}, 503: ERRORS[503]},
    summary="Agent replies for the shopper since ?after=N (poll this while a handoff is open)",
)
async def shopper_messages(
    session_id: str = PathParam(pattern=SESSION_ID_PATTERN),
    after: int = Query(0, ge=0, le=2**62),
    store: HandoffStore = Depends(get_handoffs),
    orchestrator: Any = Depends(get_orchestrator),
) -> ShopperMessages:
    if owned_id(orchestrator.sessions, session_id) is None:  # never read another shopper's replies
        raise HTTPException(404, "unknown or expired session: start a new conversation")
    messages = await _call(store.pending_for_shopper(session_id, after))
    active = await _call(store.get_open_for_session(session_id))
    info: HandoffInfo | None = None
    if active is not None:
        info = HandoffInfo(status=active.status, handoff_id=active.handoff_id, reason=active.reason)
    elif messages:
        last = await _call(store.get(messages[-1].handoff_id))
        if last is not None:
            info = HandoffInfo(status=last.status, handoff_id=last.handoff_id, reason=last.reason)
    next_after = messages[-1].seq if messages else after
    return ShopperMessages(messages=messages, next_after=next_after, handoff=info)
