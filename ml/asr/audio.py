"""Decode uploaded audio (WAV, MP3, OGG/Opus, WebM, …) to 16 kHz mono float32 with PyAV.

PyAV ships its own FFmpeg, so no system ``ffmpeg`` is needed. Every failure is an
:class:`AudioError` (a ``ValueError``) with a reason a client can act on; services turn it
into a 400.
"""

from __future__ import annotations

import io
from typing import cast

import numpy as np

SAMPLE_RATE = 16_000


class AudioError(ValueError):
    """The audio payload is unusable (empty, too large, too long, or undecodable)."""


class AudioEmpty(AudioError):
    pass


class AudioTooLarge(AudioError):
    pass


class AudioTooLong(AudioError):
    pass


class AudioUndecodable(AudioError):
    pass


def decode_audio(
    data: bytes,
    max_seconds: float | None = None,
    max_bytes: int | None = None,
    sample_rate: int = SAMPLE_RATE,
) -> np.ndarray:
    """Return mono float32 samples at ``sample_rate``; raise :class:`AudioError` on bad input."""
    if not data:
        raise AudioEmpty("audio is empty")
    if max_bytes is not None and len(data) > max_bytes:
        raise AudioTooLarge(f"audio is {len(data)} bytes; the limit is {max_bytes}")
    import av

    max_samples = int(max_seconds * sample_rate) if max_seconds is not None else None
    chunks: list[np.ndarray] = []
    total = 0
    try:
        with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioUndecodable("no audio stream in the payload")
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    samples = out.to_ndarray().reshape(-1)
                    chunks.append(samples)
                    total += samples.size
                if max_samples is not None and total > max_samples:
                    raise AudioTooLong(f"audio is longer than the {max_seconds:g} s limit")
            for out in resampler.resample(None):
                samples = out.to_ndarray().reshape(-1)
                chunks.append(samples)
                total += samples.size
    except AudioError:
        raise
    except (av.error.FFmpegError, ValueError, EOFError, OSError, IndexError) as exc:
        raise AudioUndecodable(f"could not decode audio: {exc}") from exc
    if max_samples is not None and total > max_samples:
        raise AudioTooLong(f"audio is longer than the {max_seconds:g} s limit")
    if total == 0:
        raise AudioEmpty("audio decoded to no samples")
    return np.ascontiguousarray(np.concatenate(chunks), dtype=np.float32)


def encode_wav(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bytes:
    """16-bit PCM mono WAV bytes from float samples in [-1, 1] (tests, benchmarks, TTS)."""
    import wave

    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.tobytes())
    return buf.getvalue()


def transcode(data: bytes, codec: str, container: str, sample_rate: int = 48_000) -> bytes:
    """Re-encode audio (e.g. ``("libopus", "webm")``, ``("libmp3lame", "mp3")``) — used by tests
    to produce what browsers record."""
    import av

    samples = decode_audio(data, sample_rate=sample_rate)
    out_buf = io.BytesIO()
    with av.open(out_buf, mode="w", format=container) as out:
        stream = cast("av.AudioStream", out.add_stream(codec, rate=sample_rate, layout="mono"))
        frame_size = 960
        pts = 0
        for start in range(0, samples.size, frame_size):
            chunk = samples[start : start + frame_size]
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate = sample_rate
            frame.pts = pts
            pts += chunk.size
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return out_buf.getvalue()
