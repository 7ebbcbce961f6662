"""Voice path end to end: spoken (espeak-ng) audio → /v1/voice → transcript → chat answer (+ speech).

The slow tests use real Whisper base — in-process, and through the asr ModelServer over HTTP
(``SHOPTALK_ASR_URL``). The fast ones use a tiny random Whisper for the 4xx paths, and check the
TTS engines (ElevenLabs through the real SDK against a scripted transport, Piper, espeak-ng).
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from ml.asr.audio import SAMPLE_RATE, decode_audio, encode_wav, transcode
from ml.config import Settings
from services.common.launcher import ModelServerProcess
from services.gateway.app import create_app
from services.gateway.tts import ElevenLabsTTS, EspeakTTS, PiperTTS, TTSChain, TTSError, build_tts, speakable
from tests.fakes.catalog import build_test_searcher
from tests.fakes.tiny_whisper import build_tiny_whisper

SENTENCE = "I need a blue phone case"


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


@pytest.fixture(scope="module")
def spoken_webm(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The sentence spoken by espeak-ng, re-encoded as WebM/Opus like a browser recording."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        pytest.fail("espeak-ng is not installed: apt-get install -y espeak-ng")
    path = tmp_path_factory.mktemp("voice") / "q.wav"
    subprocess.run([binary, "-v", "en-us", "-s", "140", "-w", str(path), SENTENCE], check=True, timeout=60)
    return transcode(path.read_bytes(), "libopus", "webm")


async def gateway(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, searcher=build_test_searcher(), llm=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway", timeout=120) as client:
            yield client


def post_voice(client: httpx.AsyncClient, audio: bytes, **form: str):  # type: ignore[no-untyped-def]
    return client.post("/v1/voice", files={"audio": ("q.webm", audio, "audio/webm")}, data=form)


def assert_answers_the_spoken_question(body: dict) -> None:
    assert words(body["transcript"]) == words(SENTENCE)
    assert body["language"] == "en"
    chat = body["chat"]
    assert chat["answer"].strip()
    assert chat["products"][0]["item_id"] == "B0CASE0002"  # the blue phone case
    assert chat["session_id"]


# --- real Whisper base ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def base_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("whisper-base-data")


@pytest.mark.slow
async def test_spoken_question_in_process_whisper_with_speech_back(
    base_data_dir: Path, spoken_webm: bytes
) -> None:
    settings = Settings(data_dir=base_data_dir, asr_model="base", tts="espeak")
    async for client in gateway(settings):
        response = await post_voice(client, spoken_webm, speak="true", filters=json.dumps({"price_max": 100}))
        assert response.status_code == 200, response.text
        body = response.json()
        assert_answers_the_spoken_question(body)
        assert body["chat"]["filters"]["price_max"] == 100
        assert body["tts_engine"] == "espeak" and body["audio"]["format"] == "wav"
        spoken = decode_audio(base64.b64decode(body["audio"]["base64"]))
        assert spoken.size / SAMPLE_RATE > 0.5

        follow_up = await post_voice(client, spoken_webm, session_id=body["chat"]["session_id"])
        assert follow_up.status_code == 200
        assert follow_up.json()["chat"]["session_id"] == body["chat"]["session_id"]
        assert follow_up.json()["audio"] is None


@pytest.mark.slow
@pytest.mark.integration
async def test_spoken_question_through_the_asr_service(base_data_dir: Path, spoken_webm: bytes) -> None:
    env = {"SHOPTALK_DATA_DIR": str(base_data_dir), "SHOPTALK_ASR_MODEL": "base"}
    with ModelServerProcess("asr", env=env) as asr:
        settings = Settings(data_dir=base_data_dir, asr_url=asr.url, tts="off")
        async for client in gateway(settings):
            response = await post_voice(client, spoken_webm, speak="true")
            assert response.status_code == 200, response.text
            body = response.json()
            assert_answers_the_spoken_question(body)
            assert body["audio"] is None and body["tts_engine"] is None  # TTS off

            bad = await post_voice(client, b"definitely not audio" * 20)
            assert bad.status_code == 400 and "could not decode audio" in bad.json()["error"]
    settings = Settings(data_dir=base_data_dir, asr_url=asr.url, service_retries=0)
    async for client in gateway(settings):
        down = await post_voice(client, spoken_webm)
        assert down.status_code == 503 and "unavailable" in down.json()["error"]


# --- 4xx paths with a tiny random Whisper (fast) ------------------------------------------------
@pytest.fixture(scope="module")
def tiny_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("tiny-voice")
    model = build_tiny_whisper(root / "tiny-whisper")
    return Settings(
        data_dir=root / "data",
        asr_model=str(model),
        asr_max_new_tokens=4,
        asr_max_seconds=5,
        asr_max_bytes=400_000,
        tts="off",
    )


@pytest.fixture
async def tiny_client(tiny_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in gateway(tiny_settings):
        yield client


@pytest.mark.parametrize(
    ("audio", "status", "reason"),
    [
        (b"", 400, "audio is empty"),
        (b"\x00" * 400_001, 413, "400000-byte limit"),
        (b"not audio" * 50, 400, "could not decode audio"),
        (encode_wav(np.zeros(SAMPLE_RATE * 6, dtype=np.float32)), 400, "5 s limit"),
    ],
    ids=["empty", "too-large", "garbage", "too-long"],
)
async def test_bad_audio_gets_4xx_with_reason(
    tiny_client: httpx.AsyncClient, audio: bytes, status: int, reason: str
) -> None:
    response = await post_voice(tiny_client, audio)
    assert response.status_code == status
    assert reason in response.json()["error"]


async def test_bad_form_fields_get_422(tiny_client: httpx.AsyncClient, spoken_webm: bytes) -> None:
    response = await post_voice(tiny_client, spoken_webm, filters='{"price_max": "cheap"}')
    assert response.status_code == 422 and "filters" in response.json()["error"]
    response = await post_voice(tiny_client, spoken_webm, filters="{not json")
    assert response.status_code == 422
    response = await tiny_client.post("/v1/voice", data={"session_id": "abc"})
    assert response.status_code == 422  # no audio part


async def test_missing_local_model_is_a_503(tmp_path: Path, spoken_webm: bytes) -> None:
    settings = Settings(data_dir=tmp_path, asr_model=str(tmp_path / "no-such-model"), tts="off")
    async for client in gateway(settings):
        response = await post_voice(client, spoken_webm)
        assert response.status_code == 503
        assert "unknown Whisper model" in response.json()["error"]


# --- TTS engines ------------------------------------------------------------------------------------
def wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as wav:
        return wav.getnframes() / wav.getframerate()


def test_elevenlabs_engine_uses_the_sdk_and_wraps_pcm_as_wav() -> None:
    from elevenlabs.client import ElevenLabs

    seen: list[httpx.Request] = []
    pcm = (np.sin(np.arange(16_000) / 5) * 8000).astype("<i2").tobytes()

    def api(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=pcm, headers={"content-type": "audio/pcm"})

    sdk = ElevenLabs(api_key="xi-test", httpx_client=httpx.Client(transport=httpx.MockTransport(api)))
    engine = ElevenLabsTTS("xi-test", "voice123", "eleven_flash_v2_5", client=sdk)
    wav = engine.synthesize("Here is a blue phone case.")
    assert wav_seconds(wav) == pytest.approx(1.0)
    request = seen[0]
    assert "/v1/text-to-speech/voice123" in request.url.path
    assert request.url.params.get("output_format") == "pcm_16000"
    assert request.headers["xi-api-key"] == "xi-test"
    assert json.loads(request.content)["text"] == "Here is a blue phone case."

    failing = ElevenLabs(
        api_key="xi-test",
        httpx_client=httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(401, json={}))),
    )
    with pytest.raises(TTSError, match="elevenlabs"):
        ElevenLabsTTS("xi-test", "v", "m", client=failing).synthesize("hi")


def test_chain_falls_back_and_reports_the_engine() -> None:
    class Broken:
        name = "broken"

        def synthesize(self, text: str) -> bytes:
            raise TTSError("offline")

    speech = TTSChain([Broken(), EspeakTTS()]).speak("Two options under fifty dollars.")
    assert speech is not None and speech.engine == "espeak" and wav_seconds(speech.wav) > 0.5
    assert TTSChain([Broken()]).speak("hello") is None
    assert TTSChain([]).speak("hello") is None


@pytest.mark.slow
def test_piper_joe_voice_speaks() -> None:
    wav = PiperTTS().synthesize("I found a blue phone case for you.")
    assert wav_seconds(wav) > 1.0


def test_engine_selection_from_settings(tmp_path: Path) -> None:
    assert build_tts(Settings(data_dir=tmp_path, tts="off")).names == []
    assert build_tts(Settings(data_dir=tmp_path, tts="auto")).names == ["piper", "espeak"]
    keyed = Settings(data_dir=tmp_path, tts="auto", elevenlabs_api_key="xi-test")
    assert build_tts(keyed).names == ["elevenlabs", "piper", "espeak"]
    assert build_tts(Settings(data_dir=tmp_path, tts="espeak")).names == ["espeak"]


def test_speakable_strips_markup_and_cuts_at_sentence_end() -> None:
    assert (
        speakable("The **Rugged Armor** case [B0CASE0002] is blue.", 100) == "The Rugged Armor case is blue."
    )
    text = "First sentence here. " * 10
    cut = speakable(text, 50)
    assert len(cut) <= 50 and cut.endswith(".")
