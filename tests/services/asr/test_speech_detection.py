"""Silence and noise are not speech: no transcript to search, the voice route says it didn't catch that."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest

from ml.asr.audio import SAMPLE_RATE
from ml.asr.speech import has_speech, is_hallucination, speech_seconds
from ml.asr.transcriber import Transcriber


def decode_wav(data: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(data)) as w:
        raw = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768
        rate = w.getframerate()
    if rate != SAMPLE_RATE:  # espeak speaks at 22.05 kHz: resample linearly for the check
        positions = np.linspace(0, raw.size - 1, int(raw.size * SAMPLE_RATE / rate))
        raw = np.interp(positions, np.arange(raw.size), raw).astype(np.float32)
    return raw


def test_speech_is_found_in_speech(speech_wav: bytes) -> None:
    assert speech_seconds(decode_wav(speech_wav)) > 1.0


@pytest.mark.parametrize(
    "samples",
    [
        np.zeros(SAMPLE_RATE * 3, dtype=np.float32),
        np.random.default_rng(7).normal(0, 0.05, SAMPLE_RATE * 3).astype(np.float32),
        (0.2 * np.sin(2 * np.pi * 50 * np.arange(SAMPLE_RATE * 3) / SAMPLE_RATE)).astype(np.float32),
    ],
    ids=["silence", "white-noise", "mains-hum"],
)
def test_silence_and_noise_are_not_speech(samples: np.ndarray) -> None:
    assert not has_speech(samples)


def test_whisper_hallucination_signals() -> None:
    class Seg:
        def __init__(self, no_speech: float, logprob: float, compression: float) -> None:
            self.no_speech_prob, self.avg_logprob, self.compression_ratio = no_speech, logprob, compression

    assert is_hallucination(Seg(0.9, -1.5, 1.2))
    assert is_hallucination(Seg(0.1, -0.2, 3.1))  # "nd nd nd nd …"
    assert not is_hallucination(Seg(0.1, -0.3, 1.4))


def test_transcriber_returns_nothing_for_noise(tiny_whisper: Path) -> None:
    transcriber = Transcriber(tiny_whisper, threads=1)
    noise = np.random.default_rng(3).normal(0, 0.05, SAMPLE_RATE * 2).astype(np.float32)
    transcript = transcriber.transcribe(noise)
    assert transcript.text == "" and transcript.segments == [] and transcript.duration_s == 2.0
