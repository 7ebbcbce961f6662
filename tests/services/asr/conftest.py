"""Fixtures: espeak-ng speech in the formats browsers send, a tiny random Whisper (CTranslate2)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ml.asr.audio import transcode
from tests.fakes.tiny_whisper import build_tiny_whisper

SENTENCE = "I need a blue phone case"


def speak(text: str, path: Path) -> bytes:
    """WAV speech from espeak-ng (Debian package ``espeak-ng``; CI installs it)."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        pytest.fail("espeak-ng is not installed: apt-get install -y espeak-ng")
    subprocess.run([binary, "-v", "en-us", "-s", "140", "-w", str(path), text], check=True, timeout=60)
    return path.read_bytes()


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return speak(SENTENCE, tmp_path_factory.mktemp("speech") / "speech.wav")


@pytest.fixture(scope="session")
def speech_formats(speech_wav: bytes) -> dict[str, bytes]:
    """The same speech as WAV, MP3, OGG/Opus and WebM/Opus (what browsers' MediaRecorder makes)."""
    return {
        "wav": speech_wav,
        "mp3": transcode(speech_wav, "libmp3lame", "mp3"),
        "ogg": transcode(speech_wav, "libopus", "ogg"),
        "webm": transcode(speech_wav, "libopus", "webm"),
    }


@pytest.fixture(scope="session")
def tiny_whisper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_whisper(tmp_path_factory.mktemp("models") / "tiny-whisper")
