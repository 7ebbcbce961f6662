"""``POST /v1/voice``: speech in → transcript → the same chat pipeline → answer (+ optional speech).

The transcript comes from the KServe ``asr`` service when ``SHOPTALK_ASR_URL`` is set, else
from Whisper in-process. :class:`VoiceComponents` (built in the app lifespan, closed on shutdown)
holds the ASR client, the Whisper transcriber and the TTS chain; the slow ones load in a worker
thread behind an ``asyncio.Lock``, so loading Whisper never blocks the event loop. Bad audio is a 4xx with
the reason (413 too large, 400 undecodable/too long/empty, 422 no speech); a dead ASR
service is a 503. Speech back (``speak=true``) never fails the request: when no TTS engine
works, ``audio`` is null.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable
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
from services.gateway.sessions import turn_lock
from services.gateway.spoken import spoken_summary
from services.gateway.tts import TTSChain, build_tts

log = get_logger(__name__)
router = APIRouter(prefix="/v1", tags=["voice"])


class VoiceComponents:
    """The voice route's expensive objects, one set per app."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.asr_client: Any = None
        self._lock = asyncio.Lock()
        self._built: dict[str, Any] = {}
        if settings.asr_url:
            from ml.clients.asr import AsyncAsrClient
            from ml.clients.v2 import breaker_from_settings, retry_from_settings

            self.asr_client = AsyncAsrClient(
                settings.asr_url,
                timeout_s=max(settings.service_timeout_s, 30.0),
                retry=retry_from_settings(settings),
                breaker=breaker_from_settings(settings),
            )

    async def _once(self, name: str, factory: Callable[[], Any]) -> Any:
        """Build ``name`` once, in a worker thread; concurrent callers await the same build."""
        if name in self._built:
            return self._built[name]
        async with self._lock:
            if name not in self._built:
                self._built[name] = await run_in_threadpool(factory)
        return self._built[name]

    async def transcriber(self) -> Any:
        from ml.asr.transcriber import Transcriber

        return await self._once("transcriber", lambda: Transcriber.from_settings(self.settings))

    async def tts(self) -> TTSChain:
        chain: TTSChain = await self._once("tts", lambda: build_tts(self.settings))
        return chain

    async def aclose(self) -> None:
        if self.asr_client is not None:
            await self.asr_client.aclose()
            self.asr_client = None
        self._built.clear()


def voice_components(app: Any) -> VoiceComponents:
    """The app's components (built by the lifespan; built here for an app run without one)."""
    components = getattr(app.state, "voice", None)
    if components is None:
        components = VoiceComponents(app.state.settings)
        app.state.voice = components
    return components


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


async def _transcribe(request: Request, audio: bytes, settings: Settings) -> Transcript:
    components = voice_components(request.app)
    if settings.asr_url and components.asr_client is not None:
        try:
            client = components.asr_client
            transcript: Transcript = await client.transcribe(audio, language=settings.asr_language)
            return transcript
        except ServiceRequestError as exc:
            raise HTTPException(status_code=400, detail=f"audio rejected: {exc.reason}") from exc
        except ServiceUnavailable as exc:
            raise HTTPException(status_code=503, detail=f"speech recognition unavailable: {exc}") from exc

    try:
        transcriber = await components.transcriber()
        local: Transcript = await run_in_threadpool(transcriber.transcribe_bytes, audio)
        return local
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
        raise HTTPException(
            status_code=422,
            detail="I didn't catch that: no speech was recognised in the audio (silence or noise). "
            "Please try again.",
        )
    message = message[: settings.max_message_chars]
    try:
        chat_request = ChatRequest(session_id=session_id, message=message, filters=parsed_filters)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc

    t0 = time.perf_counter()
    orchestrator = request.app.state.orchestrator
    async with turn_lock(orchestrator.sessions, session_id, settings.session_lock_timeout_s):
        chat = await orchestrator.chat(chat_request, trace_id(request))
    timings["chat"] = round((time.perf_counter() - t0) * 1000, 3)

    spoken: VoiceAudio | None = None
    engine: str | None = None
    if speak:
        tts = await voice_components(request.app).tts()
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
