"""The asr service in a real ModelServer subprocess (tiny Whisper): v2 JSON, tritonclient, 400s."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
import tritonclient.http as triton

from ml.asr.audio import SAMPLE_RATE, encode_wav
from ml.clients.asr import AsrClient
from ml.clients.errors import ServiceRequestError
from services.common.launcher import ModelServerProcess

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def asr_server(tiny_whisper: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModelServerProcess]:
    env = {
        "SHOPTALK_DATA_DIR": str(tmp_path_factory.mktemp("asr-data")),
        "SHOPTALK_ASR_MODEL": str(tiny_whisper),
        "SHOPTALK_ASR_MAX_NEW_TOKENS": "8",
        "SHOPTALK_ASR_MAX_SECONDS": "10",
    }
    with ModelServerProcess("asr", env=env) as server:
        yield server


def test_metadata_lists_tensors(asr_server: ModelServerProcess) -> None:
    meta = httpx.get(f"{asr_server.url}/v2/models/asr").json()
    assert meta["inputs"] == [{"name": "audio", "datatype": "BYTES", "shape": [-1]}]
    assert [(o["name"], o["datatype"]) for o in meta["outputs"]] == [
        ("text", "BYTES"),
        ("language", "BYTES"),
        ("segments", "BYTES"),
        ("duration", "FP32"),
    ]


def test_tritonclient_binary_request_with_base64_audio(
    asr_server: ModelServerProcess, speech_formats: dict[str, bytes]
) -> None:
    client = triton.InferenceServerClient(asr_server.url.removeprefix("http://"))
    blobs = [base64.b64encode(speech_formats[f]) for f in ("webm", "ogg")]
    tensor = triton.InferInput("audio", [2], "BYTES")
    tensor.set_data_from_numpy(np.array(blobs, dtype=object))
    result = client.infer("asr", [tensor], parameters={"language": "en"})
    assert result.as_numpy("language").tolist() == [b"en", b"en"]
    assert result.as_numpy("duration").shape == (2,)


def test_raw_binary_audio_gets_a_400_telling_to_base64(
    asr_server: ModelServerProcess, speech_formats: dict[str, bytes]
) -> None:
    client = triton.InferenceServerClient(asr_server.url.removeprefix("http://"))
    tensor = triton.InferInput("audio", [1], "BYTES")
    tensor.set_data_from_numpy(np.array([speech_formats["webm"]], dtype=object))
    with pytest.raises(Exception, match="base64") as info:
        client.infer("asr", [tensor])
    assert "400" in str(info.value)


def test_client_and_bad_audio(asr_server: ModelServerProcess, speech_formats: dict[str, bytes]) -> None:
    with AsrClient(asr_server.url) as client:
        transcript = client.transcribe(speech_formats["mp3"], language="en")
        assert transcript.language == "en" and transcript.duration_s > 1.0
        with pytest.raises(ServiceRequestError, match="could not decode audio") as info:
            client.transcribe(b"garbage" * 100)
        assert info.value.status == 400
        silence_11s = encode_wav(np.zeros(SAMPLE_RATE * 11, dtype=np.float32))
        with pytest.raises(ServiceRequestError, match="limit"):
            client.transcribe(silence_11s)
        assert client.ready()
