"""Is anyone speaking? Silence and noise must not become a transcript ("nd nd nd") that gets searched.

Two checks, both offline:

* before decoding: Silero VAD (the ONNX model bundled with ``faster-whisper``) must find at least
  ``min_speech_s`` of speech in the samples;
* after decoding: Whisper's own hallucination signals drop a segment — a high no-speech
  probability with a low average log-probability, or a high compression ratio (a phrase
  repeated over and over).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ml.asr.audio import SAMPLE_RATE

MIN_SPEECH_S = 0.25
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0
MAX_COMPRESSION = 2.4


def speech_seconds(samples: np.ndarray) -> float:
    """Seconds of speech Silero VAD finds in 16 kHz mono float samples."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    audio = np.asarray(samples, dtype=np.float32)
    if audio.size == 0 or float(np.max(np.abs(audio))) < 1e-4:  # digital silence
        return 0.0
    spans = get_speech_timestamps(audio, VadOptions(min_speech_duration_ms=150))
    return sum(s["end"] - s["start"] for s in spans) / SAMPLE_RATE


def has_speech(samples: np.ndarray, min_speech_s: float = MIN_SPEECH_S) -> bool:
    return speech_seconds(samples) >= min_speech_s


def is_hallucination(segment: Any) -> bool:
    """Whisper's segment-level signals that nothing real was said."""
    no_speech = float(getattr(segment, "no_speech_prob", 0.0) or 0.0)
    logprob = float(getattr(segment, "avg_logprob", 0.0) or 0.0)
    compression = float(getattr(segment, "compression_ratio", 0.0) or 0.0)
    return (no_speech > NO_SPEECH_PROB and logprob < LOW_LOGPROB) or compression > MAX_COMPRESSION
