"""A half-open trial that ends without an httpx error (cancelled, or any other exception) must
not leave the breaker refusing every later call after the service has recovered (issue 14, item 4)."""

from __future__ import annotations

import asyncio

import httpx
import numpy as np
import pytest

from ml.clients.breaker import BreakerState, CircuitBreaker
from ml.clients.embedder import AsyncEmbedderClient, EmbedderClient
from ml.clients.errors import ServiceUnavailable
from ml.clients.retry import RetryPolicy

FAST = RetryPolicy(retries=0, backoff_s=0.001, max_backoff_s=0.002)
BASE = "http://embedder.test"


def _ok(request: httpx.Request) -> httpx.Response:
    vectors = np.ones((1, 2), dtype=np.float32)
    body = {
        "model_name": "embedder",
        "outputs": [
            {"name": "embedding", "datatype": "FP32", "shape": [1, 2], "data": vectors.ravel().tolist()}
        ],
        "parameters": {"model_version": "m", "dim": 2},
    }
    return httpx.Response(200, json=body)


def _half_open_breaker() -> tuple[CircuitBreaker, list[float]]:
    now = [0.0]
    breaker = CircuitBreaker(failure_threshold=1, reset_timeout_s=5, clock=lambda: now[0])
    breaker.record_failure()  # open
    now[0] = 6.0  # cool-down over: half-open
    assert breaker.state is BreakerState.half_open
    return breaker, now


def test_release_trial_lets_the_next_call_try() -> None:
    breaker, _ = _half_open_breaker()
    assert breaker.allow()  # the trial
    assert not breaker.allow()  # only one at a time
    breaker.release_trial()
    assert breaker.allow()


async def test_cancelled_async_trial_does_not_stick_the_breaker_open() -> None:
    breaker, _ = _half_open_breaker()
    started = asyncio.Event()
    hang = [True]

    async def handler(request: httpx.Request) -> httpx.Response:
        if hang[0]:
            started.set()
            await asyncio.sleep(30)
        return _ok(request)

    http = httpx.AsyncClient(base_url=BASE, transport=httpx.MockTransport(handler))
    client = AsyncEmbedderClient(BASE, retry=FAST, breaker=breaker, client=http)
    trial = asyncio.create_task(client.embed(["x"]))
    await started.wait()
    trial.cancel()
    with pytest.raises(asyncio.CancelledError):
        await trial
    hang[0] = False  # the service is back
    assert (await client.embed(["x"])).vectors.shape == (1, 2)
    assert breaker.state is BreakerState.closed
    await client.aclose()


async def test_async_trial_failing_with_a_non_httpx_error_counts_as_failure_not_a_stuck_trial() -> None:
    breaker, now = _half_open_breaker()
    broken = [True]

    def handler(request: httpx.Request) -> httpx.Response:
        if broken[0]:
            raise RuntimeError("transport blew up")
        return _ok(request)

    http = httpx.AsyncClient(base_url=BASE, transport=httpx.MockTransport(handler))
    client = AsyncEmbedderClient(BASE, retry=FAST, breaker=breaker, client=http)
    with pytest.raises(RuntimeError):
        await client.embed(["x"])
    assert breaker.state is BreakerState.open  # a failed trial re-opens the breaker
    with pytest.raises(ServiceUnavailable, match="circuit is open"):
        await client.embed(["x"])
    broken[0] = False
    now[0] += 6.0  # next cool-down: a new trial is allowed and closes it
    assert (await client.embed(["x"])).vectors.shape == (1, 2)
    assert breaker.state is BreakerState.closed
    await client.aclose()


def test_sync_trial_failing_with_a_non_httpx_error_is_recorded() -> None:
    breaker, now = _half_open_breaker()
    broken = [True]

    def handler(request: httpx.Request) -> httpx.Response:
        if broken[0]:
            raise ValueError("bad state in a transport")
        return _ok(request)

    client = EmbedderClient(
        BASE,
        retry=FAST,
        breaker=breaker,
        client=httpx.Client(base_url=BASE, transport=httpx.MockTransport(handler)),
    )
    with pytest.raises(ValueError):
        client.embed(["x"])
    broken[0] = False
    now[0] += 6.0
    assert client.embed(["x"]).vectors.shape == (1, 2)
    assert breaker.state is BreakerState.closed
