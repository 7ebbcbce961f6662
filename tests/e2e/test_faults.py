"""Fault tests on real processes over loopback: the gateway under uvicorn in a subprocess, serving
real tantivy + Milvus Lite indexes built by ``shoptalk ingest``, talking to a real
OpenAI-compatible test server over HTTP.

- LLM slow → grounded offline answer (``llm-timeout``) within the configured timeout;
  LLM erroring → grounded offline answer (``llm-error``); LLM healthy again → LLM answer.
- Milvus unreachable → keyword half serves (``vector-index-unavailable``);
  keyword index (Elasticsearch) unreachable → vector half serves (``keyword-index-unavailable``).
- Overload → fast 503 + Retry-After from the shedder, never a client timeout nor another 5xx;
  a client over its rate limit → 429 + Retry-After.

(The embedder-kill and interrupted-ingestion faults live in their own tests; every dependency killed
and restarted mid-load (embedder, reranker, Milvus server, Redis, LLM): tests/faults/test_kill_restart.py.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.bench.stub_llm import OpenAIStubServer
from services.common.launcher import free_port
from tests.observability.stack import GatewayProcess, indexed_data_dir

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

LLM_TIMEOUT_S = 1.5


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return indexed_data_dir(tmp_path_factory.mktemp("faults"), limit=60)


@pytest.fixture(scope="module")
def stub() -> Iterator[OpenAIStubServer]:
    server = OpenAIStubServer().start()
    yield server
    server.stop()


def copy_data(data_dir: Path, target: Path) -> Path:
    """Milvus Lite files are single-process: every gateway gets its own copy."""
    import shutil

    shutil.copytree(data_dir, target)
    return target


def chat(url: str, message: str, timeout: float = 30.0) -> tuple[httpx.Response, float]:
    start = time.perf_counter()
    response = httpx.post(f"{url}/v1/chat", json={"message": message, "k": 4}, timeout=timeout)
    return response, time.perf_counter() - start


def degraded(body: dict) -> list[str]:
    return [r for r in (body.get("degraded") or "").split(",") if r]


def test_llm_slow_or_erroring_falls_back_to_grounded_answer(
    data_dir: Path, stub: OpenAIStubServer, tmp_path: Path
) -> None:
    env = {
        "SHOPTALK_OPENAI_API_KEY": "sk-fault-test",
        "SHOPTALK_OPENAI_BASE_URL": stub.base_url,
        "SHOPTALK_LLM_MODEL": "stub-model",
        "SHOPTALK_LLM_TIMEOUT_S": str(LLM_TIMEOUT_S),
        "SHOPTALK_LLM_MAX_RETRIES": "0",
    }
    with GatewayProcess(copy_data(data_dir, tmp_path / "data"), env) as gateway:
        stub.reset()
        healthy, _ = chat(gateway.url, "waterproof hiking boots")
        assert healthy.status_code == 200, healthy.text
        assert healthy.json()["answered_by"] == "llm"

        stub.delay_s = 10.0  # far beyond the gateway's timeout
        slow, elapsed = chat(gateway.url, "waterproof hiking boots")
        body = slow.json()
        assert slow.status_code == 200, slow.text
        assert "llm-timeout" in degraded(body)
        assert body["answered_by"] == "offline"
        assert body["products"] and body["answer"]
        # grounded fallback well within timeout + search, not the LLM's 10 s
        assert elapsed < LLM_TIMEOUT_S + 5.0, elapsed

        stub.delay_s = 0.0
        stub.error_status = 500
        failing, elapsed = chat(gateway.url, "phone case")
        body = failing.json()
        assert failing.status_code == 200, failing.text
        assert "llm-error" in degraded(body)
        assert body["answered_by"] == "offline" and body["products"]
        assert elapsed < LLM_TIMEOUT_S + 5.0

        stub.reset()
        recovered, _ = chat(gateway.url, "waterproof hiking boots")
        assert recovered.json()["answered_by"] == "llm"
        assert "llm" not in "".join(degraded(recovered.json()))

        metrics = httpx.get(f"{gateway.url}/metrics").text
        assert 'shoptalk_degraded_answers_total{reason="llm-timeout"}' in metrics
        assert 'shoptalk_llm_requests_total{outcome="llm-error"}' in metrics


def test_vector_index_down_keyword_half_serves(data_dir: Path, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    env = {"SHOPTALK_MILVUS_URI": dead}
    with GatewayProcess(copy_data(data_dir, tmp_path / "data"), env) as gateway:
        for message in ("waterproof hiking boots", "phone case"):
            response, elapsed = chat(gateway.url, message)
            body = response.json()
            assert response.status_code == 200, response.text
            assert "vector-index-unavailable" in degraded(body)
            assert body["search_mode"] == "keyword"
            assert body["products"], body
            assert elapsed < 15
        ready = httpx.get(f"{gateway.url}/readyz", timeout=30)
        assert ready.status_code == 503 and ready.json()["checks"]["vector_index"] is False


def test_keyword_index_down_vector_half_serves(data_dir: Path, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    env = {"SHOPTALK_ELASTICSEARCH_URL": dead}
    with GatewayProcess(copy_data(data_dir, tmp_path / "data"), env) as gateway:
        response, elapsed = chat(gateway.url, "waterproof hiking boots")
        body = response.json()
        assert response.status_code == 200, response.text
        assert "keyword-index-unavailable" in degraded(body)
        assert body["search_mode"] == "vector"
        assert body["products"], body
        assert elapsed < 20
        search = httpx.get(f"{gateway.url}/v1/search", params={"q": "phone case"}, timeout=30)
        assert search.status_code == 200
        assert "keyword-index-unavailable" in search.json()["degraded"]
        assert search.json()["hits"]


async def _burst(url: str, n: int, timeout: float) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=httpx.Limits(max_connections=n)) as c:
        return list(
            await asyncio.gather(
                *(c.post("/v1/chat", json={"message": f"boots {i}", "k": 3}) for i in range(n))
            )
        )


def test_overload_is_shed_fast_and_noisy_clients_get_429(
    data_dir: Path, stub: OpenAIStubServer, tmp_path: Path
) -> None:
    env = {
        "SHOPTALK_OPENAI_API_KEY": "sk-fault-test",
        "SHOPTALK_OPENAI_BASE_URL": stub.base_url,
        "SHOPTALK_LLM_MODEL": "stub-model",
        "SHOPTALK_LLM_TIMEOUT_S": "10",
        "SHOPTALK_LLM_MAX_RETRIES": "0",
        "SHOPTALK_MAX_INFLIGHT_REQUESTS": "4",
        "SHOPTALK_RATE_LIMIT_RPS": "1",
        "SHOPTALK_RATE_LIMIT_BURST": "20",
    }
    with GatewayProcess(copy_data(data_dir, tmp_path / "data"), env) as gateway:
        stub.reset()
        stub.delay_s = 2.0  # a slow LLM keeps requests in flight
        try:
            start = time.perf_counter()
            responses = asyncio.run(_burst(gateway.url, 16, timeout=20.0))  # a timeout would raise
            elapsed = time.perf_counter() - start
        finally:
            stub.reset()
        statuses = sorted(r.status_code for r in responses)
        assert set(statuses) <= {200, 503}, statuses
        assert statuses.count(200) >= 4 and statuses.count(503) >= 1, statuses
        for shed in (r for r in responses if r.status_code == 503):
            assert shed.headers["retry-after"] == "1"
            assert "overloaded" in shed.json()["error"]
        assert elapsed < 15, elapsed
        metrics = httpx.get(f"{gateway.url}/metrics").text
        assert 'shoptalk_http_rejected_total{reason="overloaded"}' in metrics

        # the same client keeps hammering: its bucket runs dry → 429 with Retry-After
        limited = None
        for _ in range(40):
            response = httpx.get(f"{gateway.url}/v1/search", params={"q": "boots"}, timeout=30)
            assert response.status_code in (200, 429)
            if response.status_code == 429:
                limited = response
                break
        assert limited is not None, "the rate limiter never refused"
        assert int(limited.headers["retry-after"]) >= 1
        time.sleep(float(limited.headers["retry-after"]) + 0.2)  # tokens refill
        assert httpx.get(f"{gateway.url}/v1/search", params={"q": "boots"}, timeout=30).status_code == 200
