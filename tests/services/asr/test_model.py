"""The asr kserve.Model in-process with a tiny random Whisper loaded through the real path
(transformers → CTranslate2 converter → faster-whisper)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from kserve.errors import InvalidInput
from kserve.protocol.infer_type import InferInput, InferRequest

from ml.asr.audio import SAMPLE_RATE, decode_audio, encode_wav
from ml.asr.models import ModelNotFoundError, resolve_whisper_model
from ml.asr.transcriber import Transcriber
from services.asr.model import AsrModel


@pytest.fixture(scope="module")
def asr_model(tiny_whisper: Path) -> AsrModel:
    model = AsrModel(
        Transcriber(tiny_whisper, max_new_tokens=8, max_seconds=10, max_bytes=2_000_000), max_batch=4
    )
    model.load()
    return model


def audio_request(blobs: list[bytes], **params: str) -> InferRequest:
    data = [base64.b64encode(b).decode() for b in blobs]
    return InferRequest(
        "asr", [InferInput("audio", [len(data)], "BYTES", data=data)], parameters=params or None
    )


def test_resolves_folder_and_packaged_tiny_en(tiny_whisper: Path, tmp_path: Path) -> None:
    assert resolve_whisper_model(str(tiny_whisper), tmp_path) == tiny_whisper
    tiny_en = resolve_whisper_model("tiny.en", tmp_path)
    assert (tiny_en / "model.bin").is_file()
    with pytest.raises(ModelNotFoundError, match="hub downloads are disabled"):
        resolve_whisper_model("large-v3", tmp_path)
    with pytest.raises(ModelNotFoundError, match="not a CTranslate2"):
        resolve_whisper_model(str(tmp_path), tmp_path)


async def test_batch_of_formats_returns_text_language_segments(
    asr_model: AsrModel, speech_formats: dict[str, bytes]
) -> None:
    blobs = [speech_formats["wav"], speech_formats["webm"], speech_formats["mp3"]]
    response, _ = await asr_model(audio_request(blobs, language="en"))
    outputs = {o.name: o for o in response.outputs}
    assert set(outputs) == {"text", "language", "segments", "duration"}
    assert outputs["text"].shape == [3] and all(isinstance(t, str) for t in outputs["text"].data)
    assert outputs["language"].data == ["en", "en", "en"]
    expected = decode_audio(speech_formats["wav"]).size / SAMPLE_RATE
    durations = np.asarray(outputs["duration"].data, dtype=np.float32)
    np.testing.assert_allclose(durations, expected, atol=0.15)
    for segments_json in outputs["segments"].data:
        for segment in json.loads(segments_json):
            assert set(segment) == {"start", "end", "text"} and segment["start"] <= segment["end"]
    assert response.parameters["model_version"] == f"whisper:{asr_model.transcriber.model_path.name}:int8"


async def test_language_is_detected_when_not_given(asr_model: AsrModel, speech_wav: bytes) -> None:
    response, _ = await asr_model(audio_request([speech_wav]))
    language = next(o for o in response.outputs if o.name == "language").data[0]
    assert isinstance(language, str) and 2 <= len(language) <= 3


async def test_v1_predict(asr_model: AsrModel, speech_wav: bytes) -> None:
    response, _ = await asr_model(
        {"instances": [{"b64": base64.b64encode(speech_wav).decode(), "language": "en"}]}
    )
    (prediction,) = response["predictions"]
    assert prediction["language"] == "en" and prediction["duration_s"] > 1.0
    assert isinstance(prediction["segments"], list)


@pytest.mark.parametrize(
    ("make_request", "reason"),
    [
        (lambda wav: audio_request([b"not audio" * 40]), "could not decode audio"),
        (lambda wav: audio_request([encode_wav(np.zeros(SAMPLE_RATE * 11, dtype=np.float32))]), "10 s limit"),
        (lambda wav: audio_request([wav * 40]), "limit is 2000000"),
        (lambda wav: audio_request([]), "empty batch"),
        (lambda wav: audio_request([wav] * 5), "limit is 4"),
        (lambda wav: audio_request([wav], language="english!"), "not a language code"),
        (lambda wav: InferRequest("asr", [InferInput("audio", [1], "FP32", data=[0.5])]), "must be BYTES"),
        (
            lambda wav: InferRequest("asr", [InferInput("audio", [1], "BYTES", data=["%%%"])]),
            "not valid base64",
        ),
        (lambda wav: {"instances": [{"audio": "x"}]}, "base64 audio"),
    ],
)
async def test_bad_audio_is_invalid_input(
    asr_model: AsrModel, speech_wav: bytes, make_request, reason: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match=reason):
        await asr_model(make_request(speech_wav))


async def test_english_only_model_rejects_other_languages(speech_wav: bytes) -> None:
    from ml.asr.models import tiny_en_path

    model = AsrModel(Transcriber(tiny_en_path(), max_new_tokens=4))
    model.load()
    with pytest.raises(InvalidInput, match="English-only"):
        await model(audio_request([speech_wav], language="de"))
