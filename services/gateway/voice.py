"""``POST /v1/voice``: speech in → transcript → the same chat pipeline → answer (+ optional speech).

The transcript comes from the KServe ``asr`` service when ``SHOPTALK_ASR_URL`` is set, else
from Whisper in-process (loaded on first use and cached on the app). Bad audio is a 4xx with
the reason (413 too large, 400 undecodable/too long/empty, 422 no speech); a dead ASR
service is a 503. Speech back (``speak=true``) never fails the request: when no TTS engine
works, ``audio`` is null.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from ml.asr.audio import AudioError, AudioTooLarge
from ml.asr.types import Transcript
from ml.clients.errors import ServiceRequestError, ServiceUnavailable
from ml.config import Settings
from ml.logging import get_logger
from ml.observability.tracing import stage_span
from ml.retrieval.types import SearchFilters
from services.gateway.deps import trace_id
from services.gateway.schemas import ChatRequest, ChatResponse
from services.gateway.spoken import spoken_summary
from services.gateway.tts import TTSChain, build_tts

log = get_logger(__name__)
router = APIRouter(prefix="/v1", tags=["voice"])
_init_lock = threading.Lock()


class VoiceAudio(BaseModel):
    format: Literal["wav"] = "wav"
    base64: str = Field(description="The spoken answer, base64-encoded WAV.")
    text: str = Field(default="", description="What was spoken: a short summary, not the written list.")


class VoiceResponse(BaseModel):
    transcript: str = Field(description="What the shopper said, as recognised.")
    language: str = Field(description="Detected (or configured) language of the speech.")
    chat: ChatResponse
    audio: VoiceAudio | None = Field(default=None, description="Spoken answer when `speak` was set.")
    tts_engine: str | None = Field(default=None, description="elevenlabs | piper | espeak, or null.")
    timings_ms: dict[str, float] = Field(default_factory=dict)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _state(request: Request, name: str, factory: Any) -> Any:
    """Build an expensive per-app object once (thread-safe), cached on ``app.state``."""
    value = getattr(request.app.state, name, None)
    if value is None:
        with _init_lock:
            value = getattr(request.app.state, name, None)
            if value is None:
                value = factory()
                setattr(request.app.state, name, value)
    return value


async def _transcribe(request: Request, audio: bytes, settings: Settings) -> Transcript:
    if settings.asr_url:
        from ml.clients.asr import AsyncAsrClient
        from ml.clients.v2 import breaker_from_settings, retry_from_settings

        client = _state(
            request,
            "asr_client",
            lambda: AsyncAsrClient(
                settings.asr_url or "",
                timeout_s=max(settings.service_timeout_s, 30.0),
                retry=retry_from_settings(settings),
                breaker=breaker_from_settings(settings),
            ),
        )
        try:
            return await client.transcribe(audio, language=settings.asr_language)
        except ServiceRequestError as exc:
            raise HTTPException(status_code=400, detail=f"audio rejected: {exc.reason}") from exc
        except ServiceUnavailable as exc:
            raise HTTPException(status_code=503, detail=f"speech recognition unavailable: {exc}") from exc

    def local() -> Transcript:
        from ml.asr.transcriber import Transcriber

        transcriber = _state(request, "asr_transcriber", lambda: Transcriber.from_settings(settings))
        return transcriber.transcribe_bytes(audio)

    try:
        return await run_in_threadpool(local)
    except AudioTooLarge as exc:
        raise HTTPException(status_code=413, detail=f"audio rejected: {exc}") from exc
    except AudioError as exc:
        raise HTTPException(status_code=400, detail=f"audio rejected: {exc}") from exc
    except (ImportError, FileNotFoundError) as exc:  # ASR extra not installed, or no model
        log.error("voice.asr_unavailable", error=str(exc))
        raise HTTPException(status_code=503, detail=f"speech recognition unavailable: {exc}") from exc


def _parse_filters(raw: str | None) -> SearchFilters | None:
    if raw is None or not raw.strip():
        return None
    try:
        return SearchFilters.model_validate(json.loads(raw))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise HTTPException(
            status_code=422, detail=f"filters must be a JSON SearchFilters object: {exc}"
        ) from exc


async def _read_upload(audio: UploadFile, limit: int) -> bytes:
    data = await audio.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(status_code=413, detail=f"audio is larger than the {limit}-byte limit")
    if not data:
        raise HTTPException(status_code=400, detail="audio is empty")
    return data


@router.post(
    "/voice",
    response_model=VoiceResponse,
    summary="Ask by voice: audio → transcript → grounded answer (optionally spoken back)",
    responses={
        400: {"description": "Empty, undecodable or over-long audio."},
        413: {"description": "Audio larger than SHOPTALK_ASR_MAX_BYTES."},
        422: {"description": "No speech recognised, or invalid session_id / filters."},
        503: {"description": "The ASR service is unavailable."},
    },
)
async def voice(
    request: Request,
    audio: UploadFile = File(description="Recorded speech: WAV, MP3, OGG/Opus or WebM/Opus."),
    session_id: str | None = Form(default=None),
    speak: bool = Form(default=False, description="Also return the answer as speech (WAV)."),
    filters: str | None = Form(default=None, description='JSON SearchFilters, e.g. {"price_max": 100}.'),
) -> VoiceResponse:
    settings = _settings(request)
    timings: dict[str, float] = {}
    data = await _read_upload(audio, settings.asr_max_bytes)
    parsed_filters = _parse_filters(filters)

    t0 = time.perf_counter()
    with stage_span("asr", remote=bool(settings.asr_url), audio_bytes=len(data)):
        transcript = await _transcribe(request, data, settings)
    timings["asr"] = round((time.perf_counter() - t0) * 1000, 3)
    message = transcript.text.strip()
    if not message:
        raise HTTPException(status_code=422, detail="no speech was recognised in the audio")
    message = message[: settings.max_message_chars]
    try:
        chat_request = ChatRequest(session_id=session_id, message=message, filters=parsed_filters)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc

    t0 = time.perf_counter()
    chat = await request.app.state.orchestrator.chat(chat_request, trace_id(request))
    timings["chat"] = round((time.perf_counter() - t0) * 1000, 3)

    spoken: VoiceAudio | None = None
    engine: str | None = None
    if speak:
        tts: TTSChain = _state(request, "tts", lambda: build_tts(settings))
        summary = spoken_summary(chat)
        t0 = time.perf_counter()
        with stage_span("tts") as tts_span:
            speech = await run_in_threadpool(tts.speak, summary)
            tts_span.set_attribute("shoptalk.tts.engine", speech.engine if speech else "none")
        timings["tts"] = round((time.perf_counter() - t0) * 1000, 3)
        if speech is not None:
            spoken = VoiceAudio(base64=base64.b64encode(speech.wav).decode("ascii"), text=summary)
            engine = speech.engine
    log.info(
        "voice.turn",
        language=transcript.language,
        transcript_chars=len(message),
        tts_engine=engine,
        **{f"{k}_ms": v for k, v in timings.items()},
    )
    return VoiceResponse(
        transcript=message,
        language=transcript.language,
        chat=chat,
        audio=spoken,
        tts_engine=engine,
        timings_ms=timings,
    )
