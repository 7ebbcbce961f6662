"""RemoteEmbedder: the Embedder protocol over the service client; outages → EmbedderUnavailable."""

from __future__ import annotations

import httpx
import numpy as np
import pytest

from ml.clients.breaker import CircuitBreaker
from ml.clients.embedder import EmbedderClient
from ml.clients.errors import ServiceRequestError
from ml.clients.retry import RetryPolicy
from ml.embedding.protocol import Embedder, EmbedderUnavailable
from ml.embedding.remote import RemoteEmbedder

BASE = "http://embedder.test"


def make(handler, failures: int = 2) -> RemoteEmbedder:  # type: ignore[no-untyped-def]
    http = httpx.Client(base_url=BASE, transport=httpx.MockTransport(handler))
    client = EmbedderClient(
        BASE, retry=RetryPolicy(retries=0), breaker=CircuitBreaker(failures, 60), client=http
    )
    return RemoteEmbedder(BASE, client=client)


def service(version: str = "minilm+adapter-abc", dim: int = 4):  # type: ignore[no-untyped-def]
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(
                200,
                json={
                    "name": "embedder",
                    "inputs": [],
                    "outputs": [{"name": "embedding", "shape": [-1, dim]}],
                },
            )
        n = len(__import__("json").loads(request.content)["inputs"][0]["data"])
        vectors = np.tile(np.eye(1, dim, dtype=np.float32), (n, 1))
        return httpx.Response(
            200,
            json={
                "outputs": [
                    {
                        "name": "embedding",
                        "datatype": "FP32",
                        "shape": [n, dim],
                        "data": vectors.ravel().tolist(),
                    }
                ],
                "parameters": {"model_version": version},
            },
        )

    return handler


def test_implements_embedder_protocol_with_metadata_dim_and_response_version() -> None:
    embedder = make(service())
    assert isinstance(embedder, Embedder)
    assert embedder.dim == 4
    assert embedder.model_version == "minilm+adapter-abc"
    vectors = embedder.embed(["a", "b", "c"])
    assert vectors.shape == (3, 4) and vectors.dtype == np.float32
    assert embedder.embed([]).shape == (0, 4)


def test_outage_raises_embedder_unavailable_and_breaker_fails_fast() -> None:
    calls: list[int] = []

    def dead(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ConnectError("refused", request=request)

    embedder = make(dead, failures=2)
    for _ in range(3):
        with pytest.raises(EmbedderUnavailable):
            embedder.embed(["boots"])
    assert len(calls) == 2  # the third call never touched the network
    with pytest.raises(EmbedderUnavailable):
        _ = embedder.dim


def test_bad_request_is_not_an_outage() -> None:
    embedder = make(
        lambda request: httpx.Response(400, json={"error": "input 'text' element 0 is not UTF-8"})
    )
    with pytest.raises(ServiceRequestError, match="not UTF-8"):
        embedder.embed(["x"])
