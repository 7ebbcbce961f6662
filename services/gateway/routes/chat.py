"""``POST /v1/chat`` (JSON or Server-Sent Events) and ``DELETE /v1/sessions/{id}``."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse

from ml.config import Settings
from services.gateway.deps import get_orchestrator, get_settings, trace_id
from services.gateway.orchestrator import ChatOrchestrator
from services.gateway.schemas import SESSION_ID_PATTERN, ChatRequest, ChatResponse, ErrorResponse
from services.gateway.sessions import owned_id, turn_lock
from services.gateway.sse import Event, sse_stream

router = APIRouter(prefix="/v1", tags=["chat"])

SSE_DOC = (
    "With `stream: true` or `Accept: text/event-stream`: Server-Sent Events — `products` first "
    "(`{trace_id, session_id, query, filters, search_mode, products}`), then `token` events (`{text}`), "
    "then, only when the finished model answer fails the answer check, one `replace` event "
    "(`{text, reason}`: the offline answer replaces the tokens so far), "
    "then `done` with the full ChatResponse."
)


def check_length(message: str, settings: Settings) -> None:
    if len(message) > settings.max_message_chars:
        raise RequestValidationError(
            [
                {
                    "type": "string_too_long",
                    "loc": ("body", "message"),
                    "msg": f"message is longer than {settings.max_message_chars} characters ({len(message)})",
                    "input": None,
                    "ctx": {"max_length": settings.max_message_chars},
                }
            ]
        )


@router.post(
    "/chat",
    response_model=ChatResponse,
    responses={
        200: {"content": {"text/event-stream": {"schema": {"type": "string"}, "description": SSE_DOC}}},
        422: {"description": "Invalid request (empty or too long message, unknown or ill-typed fields)."},
    },
    summary="Ask the shopping assistant (grounded in retrieved products)",
)
async def chat(
    body: ChatRequest,
    request: Request,
    orchestrator: ChatOrchestrator = Depends(get_orchestrator),
    settings: Settings = Depends(get_settings),
) -> ChatResponse | StreamingResponse:
    check_length(body.message, settings)
    tid = trace_id(request)
    timeout = settings.session_lock_timeout_s
    if body.stream or "text/event-stream" in request.headers.get("accept", ""):

        async def locked_stream() -> AsyncIterator[Event]:
            async with turn_lock(orchestrator.sessions, body.session_id, timeout):
                async for event in orchestrator.chat_stream(body, tid):
                    yield event

        return StreamingResponse(
            sse_stream(locked_stream(), tid),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    async with turn_lock(orchestrator.sessions, body.session_id, timeout):  # one turn at a time
        return await orchestrator.chat(body, tid)


@router.delete(
    "/sessions/{session_id}",
    status_code=204,
    responses={422: {"model": ErrorResponse}},
    summary="Forget a conversation (start over)",
)
async def delete_session(
    session_id: str = Path(pattern=SESSION_ID_PATTERN),
    orchestrator: ChatOrchestrator = Depends(get_orchestrator),
) -> Response:
    owned = owned_id(orchestrator.sessions, session_id)
    if owned is not None:  # an id this server did not sign names no session: nothing to forget
        await orchestrator.reset(owned)
    return Response(status_code=204)
