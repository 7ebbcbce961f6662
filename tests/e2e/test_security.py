"""No secret in logs, traces, error bodies or ``/metrics`` — checked on a real gateway process.

The gateway runs under uvicorn in a subprocess with API keys, an OpenAI key (pointing at the
local OpenAI-compatible test server, made to fail so errors get logged), an ElevenLabs key,
JSON logs with the access log on, and its spans written to a file. We then drive it through
the interesting paths (no key, a wrong key, a good key, LLM errors, validation errors,
oversized bodies) and grep everything it emitted for every secret.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ml.observability.tracing import read_spans_file
from services.bench.stub_llm import OpenAIStubServer
from tests.observability.stack import GatewayProcess, indexed_data_dir

pytestmark = [pytest.mark.integration, pytest.mark.timeout(400)]

API_KEYS = ("sk-shoptalk-admin-5d41402abc4b2a76", "sk-shoptalk-web-7d793037a0760186")
OPENAI_KEY = "sk-openai-secret-9e107d9d372bb6826bd81d3542a419d6"
ELEVENLABS_KEY = "el-secret-e4d909c290d0fb1ca068ffaddf22cbd0"
WRONG_KEY = "sk-shoptalk-guess-0cc175b9c0f1b6a8"
SECRETS = (*API_KEYS, OPENAI_KEY, ELEVENLABS_KEY, WRONG_KEY)


@pytest.fixture(scope="module")
def stub() -> Iterator[OpenAIStubServer]:
    server = OpenAIStubServer().start()
    yield server
    server.stop()


def test_no_secret_leaks_anywhere(stub: OpenAIStubServer, tmp_path: Path) -> None:
    spans_file = tmp_path / "spans.jsonl"
    env = {
        "SHOPTALK_API_KEYS": ",".join(API_KEYS),
        "SHOPTALK_API_KEYS_PROTECT_V1": "true",
        "SHOPTALK_OPENAI_API_KEY": OPENAI_KEY,
        "SHOPTALK_OPENAI_BASE_URL": stub.base_url,
        "SHOPTALK_LLM_MODEL": "stub-model",
        "SHOPTALK_LLM_TIMEOUT_S": "2",
        "SHOPTALK_LLM_MAX_RETRIES": "0",
        "SHOPTALK_ELEVENLABS_API_KEY": ELEVENLABS_KEY,
        "SHOPTALK_LOG_FORMAT": "json",
        "SHOPTALK_LOG_LEVEL": "DEBUG",
        "SHOPTALK_OTEL_SPANS_FILE": str(spans_file),
        "SHOPTALK_OTEL_CAPTURE_CONTENT": "false",
        "SHOPTALK_MAX_BODY_BYTES": "20000",
    }
    emitted: list[str] = []
    # a small indexed slice, so a result-list turn reaches the (refusing) LLM
    data_dir = indexed_data_dir(tmp_path, limit=20)
    with GatewayProcess(data_dir, env, log_path=tmp_path / "gateway.log") as gateway:
        good = {"x-api-key": API_KEYS[1]}
        with httpx.Client(base_url=gateway.url, timeout=60) as client:
            calls = [
                client.get("/v1/search", params={"q": "boots"}),
                client.get("/v1/search", params={"q": "boots"}, headers={"x-api-key": WRONG_KEY}),
                client.post(
                    "/v1/chat", json={"message": "boots"}, headers={"authorization": f"Bearer {WRONG_KEY}"}
                ),
                client.get("/v1/search", params={"q": "boots"}, headers=good),
                client.post("/v1/chat", json={"message": "boots"}, headers=good),
                client.post("/v1/chat", json={"message": ""}, headers=good),
                client.post("/v1/chat", json={"message": "x" * 30000}, headers=good),
                client.get("/v1/agent/handoffs", headers={"x-api-key": WRONG_KEY}),
            ]
            # a need the indexed slice surely has (its own first listing), so the LLM is asked
            found = client.get("/v1/search", params={"q": "boots"}, headers=good).json()
            hits = found["hits"]
            assert hits, found
            need = hits[0]["product"]["title"]
            stub.error_status = 401  # the LLM provider refuses the key → llm-error, logged
            calls.append(client.post("/v1/chat", json={"message": need}, headers=good))
            stub.reset()
            stub.error_status = 500
            calls.append(client.post("/v1/chat", json={"message": need, "stream": True}, headers=good))
            stub.reset()
            metrics = client.get("/metrics")
            calls.append(metrics)
            calls.append(client.get("/openapi.json"))
        statuses = [c.status_code for c in calls]
        assert statuses[:3] == [401, 401, 401], statuses
        assert statuses[3:5] == [200, 200] and statuses[5] == 422 and statuses[6] == 413, statuses
        assert statuses[7] == 401 and statuses[8] == 200 and statuses[9] == 200, statuses
        refused = calls[8].json()
        assert "llm-error" in (refused["degraded"] or ""), refused
        for call in calls:
            emitted.append(call.text)
            emitted.append(repr(dict(call.headers)))
    log_text = gateway.log()
    assert '"event": "llm.failed"' in log_text or '"event":"llm.failed"' in log_text, log_text[-2000:]
    assert "security.unauthorized" in log_text
    emitted.append(log_text)
    spans = read_spans_file(spans_file)
    assert any(s["name"] == "POST /v1/chat" for s in spans)
    emitted.append(spans_file.read_text())
    everything = "\n".join(emitted)
    for secret in SECRETS:
        assert secret not in everything, f"secret {secret[:10]}… leaked"
        assert secret[-16:] not in everything, f"secret tail {secret[-6:]} leaked"
    # the metrics page exposes the security counters without any client identity
    assert 'shoptalk_http_rejected_total{reason="unauthorized"}' in metrics.text
    assert "10.0." not in metrics.text and "127.0.0.1" not in metrics.text
