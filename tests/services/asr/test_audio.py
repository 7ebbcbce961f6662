"""Audio decoding with PyAV: browser formats → 16 kHz mono float32; bad audio → AudioError."""

from __future__ import annotations

import numpy as np
import pytest

from ml.asr.audio import (
    SAMPLE_RATE,
    AudioEmpty,
    AudioTooLarge,
    AudioTooLong,
    AudioUndecodable,
    decode_audio,
    encode_wav,
)


@pytest.mark.parametrize("fmt", ["wav", "mp3", "ogg", "webm"])
def test_browser_formats_decode_to_16k_mono_float32(speech_formats: dict[str, bytes], fmt: str) -> None:
    reference = decode_audio(speech_formats["wav"])
    samples = decode_audio(speech_formats[fmt])
    assert samples.dtype == np.float32 and samples.ndim == 1
    # same speech, same length (codec padding adds at most ~0.1 s)
    assert abs(samples.size - reference.size) / SAMPLE_RATE < 0.15
    assert 0.05 < float(np.abs(samples).max()) <= 1.0


def test_resamples_and_downmixes() -> None:
    import io
    import wave

    t = np.arange(44_100) / 44_100
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    stereo = np.stack([tone, tone], axis=1)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(44_100)
        wav.writeframes((stereo * 32767).astype("<i2").tobytes())
    samples = decode_audio(buf.getvalue())
    assert abs(samples.size - SAMPLE_RATE) <= 32
    spectrum = np.abs(np.fft.rfft(samples))
    assert abs(np.argmax(spectrum) * SAMPLE_RATE / samples.size - 440) < 5


def test_limits_and_garbage() -> None:
    one_second = encode_wav(np.zeros(SAMPLE_RATE, dtype=np.float32))
    assert decode_audio(one_second, max_seconds=2).size == SAMPLE_RATE
    with pytest.raises(AudioTooLong, match=r"0\.5 s limit"):
        decode_audio(one_second, max_seconds=0.5)
    with pytest.raises(AudioTooLarge, match="limit is 100"):
        decode_audio(one_second, max_bytes=100)
    with pytest.raises(AudioEmpty):
        decode_audio(b"")
    with pytest.raises(AudioUndecodable):
        decode_audio(b"this is not audio at all" * 50)
    with pytest.raises(AudioEmpty):
        decode_audio(one_second[:44])  # a WAV header and no samples
