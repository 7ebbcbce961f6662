"""Whisper transcription with faster-whisper (CTranslate2): text, language, timed segments."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from ml.asr.audio import SAMPLE_RATE, decode_audio
from ml.asr.models import resolve_whisper_model
from ml.asr.speech import has_speech, is_hallucination
from ml.asr.types import Segment, Transcript
from ml.logging import get_logger

log = get_logger(__name__)


class LanguageError(ValueError):
    """The requested language cannot be transcribed by this model."""


class Transcriber:
    """Loads the CTranslate2 Whisper model on first use; ``transcribe`` is thread-safe."""

    def __init__(
        self,
        model_path: str | Path,
        compute_type: str = "int8",
        language: str | None = None,
        threads: int = 2,
        beam_size: int = 5,
        max_seconds: float | None = 60.0,
        max_bytes: int | None = 10_000_000,
        max_new_tokens: int | None = None,
    ) -> None:
        self.model_path = Path(model_path)
        self.compute_type = compute_type
        self.language = language
        self.threads = threads
        self.beam_size = beam_size
        self.max_seconds = max_seconds
        self.max_bytes = max_bytes
        self.max_new_tokens = max_new_tokens
        self._model: Any = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Any) -> Transcriber:
        path = resolve_whisper_model(settings.asr_model, settings.data_dir, settings.resolved_mlflow_uri)
        return cls(
            path,
            compute_type=settings.asr_compute_type,
            language=settings.asr_language,
            threads=settings.asr_threads,
            max_seconds=settings.asr_max_seconds,
            max_bytes=settings.asr_max_bytes,
            max_new_tokens=settings.asr_max_new_tokens,
        )

    @property
    def model_version(self) -> str:
        return f"whisper:{self.model_path.name}:{self.compute_type}"

    @property
    def is_multilingual(self) -> bool:
        return bool(self.model.model.is_multilingual)

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from faster_whisper import WhisperModel

                    self._model = WhisperModel(
                        str(self.model_path),
                        device="cpu",
                        compute_type=self.compute_type,
                        cpu_threads=self.threads,
                        local_files_only=True,
                    )
                    log.info("asr.model.loaded", path=str(self.model_path), compute_type=self.compute_type)
        return self._model

    def load(self) -> None:
        _ = self.model

    def transcribe_bytes(self, data: bytes, language: str | None = None) -> Transcript:
        """Decode (see :func:`ml.asr.audio.decode_audio`, raises ``AudioError``) and transcribe."""
        return self.transcribe(decode_audio(data, self.max_seconds, self.max_bytes), language)

    def transcribe(self, samples: np.ndarray, language: str | None = None) -> Transcript:
        language = language or self.language
        model = self.model
        if language and not model.model.is_multilingual and language != "en":
            raise LanguageError(
                f"model {self.model_path.name} is English-only; cannot transcribe {language!r}"
            )
        duration = round(samples.size / SAMPLE_RATE, 3)
        if not has_speech(samples):  # silence or noise: nothing to transcribe, never "nd nd nd"
            return Transcript(text="", language=language or "", duration_s=duration)
        with self._lock:
            segments_iter, info = model.transcribe(
                np.asarray(samples, dtype=np.float32),
                language=language,
                beam_size=self.beam_size,
                vad_filter=False,
                condition_on_previous_text=False,
                max_new_tokens=self.max_new_tokens,
            )
            segments = [
                Segment(round(s.start, 3), round(s.end, 3), s.text.strip())
                for s in segments_iter
                if not is_hallucination(s)
            ]
        text = " ".join(s.text for s in segments if s.text).strip()
        return Transcript(
            text=text,
            language=str(info.language),
            language_probability=round(float(info.language_probability), 4),
            duration_s=duration,
            segments=segments,
        )
