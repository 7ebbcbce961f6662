"""The v2 clients against scripted HTTP transports: retries, 4xx handling, breaker, async path."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import httpx
import numpy as np
import pytest

from ml.clients.asr import AsrClient
from ml.clients.breaker import CircuitBreaker
from ml.clients.captioner import CaptionerClient
from ml.clients.embedder import AsyncEmbedderClient, EmbedderClient
from ml.clients.errors import ServiceRequestError, ServiceUnavailable
from ml.clients.retry import RetryPolicy

FAST = RetryPolicy(retries=2, backoff_s=0.001, max_backoff_s=0.002)
BASE = "http://embedder.test"


def embedding_response(vectors: np.ndarray, version: str = "m+identity") -> dict:
    return {
        "model_name": "embedder",
        "outputs": [
            {
                "name": "embedding",
                "datatype": "FP32",
                "shape": list(vectors.shape),
                "data": vectors.ravel().tolist(),
            }
        ],
        "parameters": {"model_version": version, "dim": vectors.shape[1]},
    }


class Script:
    """Answers requests from a list of handlers; records what was asked."""

    def __init__(self, *steps: Callable[[httpx.Request], httpx.Response]) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        return step(request)


def ok(vectors: np.ndarray) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(200, json=embedding_response(vectors))


def status(code: int, error: str = "boom") -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(code, json={"error": error})


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def sync_client(script: Script, breaker: CircuitBreaker | None = None) -> EmbedderClient:
    http = httpx.Client(base_url=BASE, transport=httpx.MockTransport(script))
    return EmbedderClient(BASE, retry=FAST, breaker=breaker or CircuitBreaker(3, 60), client=http)


def test_embed_sends_a_v2_bytes_tensor_and_parses_fp32_output() -> None:
    vectors = np.eye(2, 4, dtype=np.float32)
    script = Script(ok(vectors))
    result = sync_client(script).embed(["red shoes", "blue case"])
    assert result.model_version == "m+identity"
    np.testing.assert_array_equal(result.vectors, vectors)
    request = script.requests[0]
    assert request.url.path == "/v2/models/embedder/infer"
    body = json.loads(request.content)
    assert body["inputs"] == [
        {"name": "text", "datatype": "BYTES", "shape": [2], "data": ["red shoes", "blue case"]}
    ]


def test_retries_5xx_and_connection_errors_then_succeeds() -> None:
    vectors = np.ones((1, 3), dtype=np.float32)
    script = Script(status(503), refuse, ok(vectors))
    assert sync_client(script).embed(["x"]).vectors.shape == (1, 3)
    assert len(script.requests) == 3


def test_never_retries_4xx_and_keeps_the_reason() -> None:
    script = Script(status(400, "input 'text' must be BYTES, got FP32"))
    breaker = CircuitBreaker(1, 60)
    with pytest.raises(ServiceRequestError) as info:
        sync_client(script, breaker).embed(["x"])
    assert info.value.status == 400
    assert "must be BYTES" in info.value.reason
    assert len(script.requests) == 1
    assert breaker.allow()  # a 4xx proves the service is up: the breaker stays closed


def test_breaker_opens_and_fails_fast_without_network() -> None:
    script = Script(refuse)
    client = sync_client(script, CircuitBreaker(failure_threshold=2, reset_timeout_s=60))
    for _ in range(2):
        with pytest.raises(ServiceUnavailable):
            client.embed(["x"])
    calls = len(script.requests)
    assert calls == 2 * (FAST.retries + 1)
    with pytest.raises(ServiceUnavailable, match="circuit is open"):
        client.embed(["x"])
    assert len(script.requests) == calls


def test_breaker_half_open_trial_recovers() -> None:
    vectors = np.ones((1, 2), dtype=np.float32)
    clock_now = [0.0]
    breaker = CircuitBreaker(failure_threshold=1, reset_timeout_s=5, clock=lambda: clock_now[0])
    script = Script(refuse, refuse, refuse, ok(vectors))
    client = sync_client(script, breaker)
    with pytest.raises(ServiceUnavailable):
        client.embed(["x"])
    with pytest.raises(ServiceUnavailable, match="circuit is open"):
        client.embed(["x"])
    clock_now[0] = 6.0
    assert client.embed(["x"]).vectors.shape == (1, 2)
    assert breaker.allow()


def test_model_url_is_accepted_as_base_url() -> None:
    client = EmbedderClient(f"{BASE}/v2/models/embedder", retry=FAST)
    assert client.base_url == BASE


def test_asr_and_captioner_clients_send_base64_and_parse_outputs() -> None:
    seen: list[dict] = []

    def asr(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(
            200,
            json={
                "outputs": [
                    {"name": "text", "datatype": "BYTES", "shape": [1], "data": ["hello there"]},
                    {"name": "language", "datatype": "BYTES", "shape": [1], "data": ["en"]},
                    {
                        "name": "segments",
                        "datatype": "BYTES",
                        "shape": [1],
                        "data": [json.dumps([{"start": 0.0, "end": 1.5, "text": "hello there"}])],
                    },
                    {"name": "duration", "datatype": "FP32", "shape": [1], "data": [1.5]},
                ]
            },
        )

    http = httpx.Client(base_url="http://asr.test", transport=httpx.MockTransport(asr))
    transcript = AsrClient("http://asr.test", retry=FAST, client=http).transcribe(
        b"RIFF\x00\xff", language="en"
    )
    assert transcript.text == "hello there" and transcript.language == "en"
    assert transcript.segments[0].end == 1.5 and transcript.duration_s == 1.5
    assert base64.b64decode(seen[0]["inputs"][0]["data"][0]) == b"RIFF\x00\xff"
    assert seen[0]["parameters"] == {"language": "en"}

    def cap(request: httpx.Request) -> httpx.Response:
        n = json.loads(request.content)["inputs"][0]["shape"][0]
        return httpx.Response(
            200, json={"outputs": [{"name": "caption", "datatype": "BYTES", "shape": [n], "data": ["c"] * n}]}
        )

    http = httpx.Client(base_url="http://cap.test", transport=httpx.MockTransport(cap))
    captioner = CaptionerClient("http://cap.test", retry=FAST, client=http)
    assert captioner.caption([b"a", b"b", b"c"]) == ["c", "c", "c"]
    assert captioner.caption([]) == []


async def test_async_client_retries_and_opens_breaker() -> None:
    vectors = np.ones((2, 2), dtype=np.float32)
    script = Script(status(502), ok(vectors))
    http = httpx.AsyncClient(base_url=BASE, transport=httpx.MockTransport(script))
    client = AsyncEmbedderClient(BASE, retry=FAST, breaker=CircuitBreaker(1, 60), client=http)
    assert (await client.embed(["a", "b"])).vectors.shape == (2, 2)
    assert len(script.requests) == 2

    dead = Script(refuse)
    http = httpx.AsyncClient(base_url=BASE, transport=httpx.MockTransport(dead))
    client = AsyncEmbedderClient(BASE, retry=FAST, breaker=CircuitBreaker(1, 60), client=http)
    with pytest.raises(ServiceUnavailable):
        await client.embed(["a"])
    with pytest.raises(ServiceUnavailable, match="circuit is open"):
        await client.embed(["a"])
    assert len(dead.requests) == FAST.retries + 1
    await client.aclose()
