"""The embedder served by a real ModelServer subprocess (loopback), spoken to over HTTP —
plain JSON, tritonclient (binary and JSON), v1, and bad payloads that must get 400s."""

from __future__ import annotations

import httpx
import numpy as np
import pytest
import tritonclient.http as triton

from ml.clients.embedder import EmbedderClient
from ml.clients.errors import ServiceRequestError
from services.common.launcher import ModelServerProcess

pytestmark = pytest.mark.integration


def test_metadata_and_readiness(embedder_server: ModelServerProcess) -> None:
    meta = httpx.get(f"{embedder_server.url}/v2/models/embedder").json()
    assert meta["inputs"] == [{"name": "text", "datatype": "BYTES", "shape": [-1]}]
    assert meta["outputs"] == [{"name": "embedding", "datatype": "FP32", "shape": [-1, 384]}]
    assert httpx.get(f"{embedder_server.url}/v2/models/embedder/ready").json()["ready"] is True


def test_binds_loopback_only(embedder_server: ModelServerProcess) -> None:
    import psutil

    assert embedder_server.process is not None
    process = psutil.Process(embedder_server.process.pid)
    connections = getattr(process, "net_connections", process.connections)()
    listening = [c.laddr for c in connections if c.status == "LISTEN"]
    assert listening and all(addr.ip == "127.0.0.1" for addr in listening)  # and no gRPC port


@pytest.mark.parametrize("binary", [True, False])
def test_tritonclient_works_unchanged(embedder_server: ModelServerProcess, binary: bool) -> None:
    client = triton.InferenceServerClient(embedder_server.url.removeprefix("http://"))
    assert client.is_model_ready("embedder")
    tensor = triton.InferInput("text", [3], "BYTES")
    tensor.set_data_from_numpy(
        np.array(["red shoes", "blue case", "oak table"], dtype=object), binary_data=binary
    )
    outputs = [triton.InferRequestedOutput("embedding", binary_data=binary)]
    result = client.infer("embedder", [tensor], outputs=outputs)
    vectors = result.as_numpy("embedding")
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert result.get_response()["parameters"]["model_version"] == "all-MiniLM-L6-v2+identity"


def test_our_client_and_v1(embedder_server: ModelServerProcess) -> None:
    with EmbedderClient(embedder_server.url) as client:
        result = client.embed(["red shoes"])
    v1 = httpx.post(
        f"{embedder_server.url}/v1/models/embedder:predict", json={"instances": ["red shoes"]}
    ).json()
    np.testing.assert_allclose(result.vectors[0], v1["predictions"][0], atol=1e-5)
    assert v1["model_version"] == result.model_version


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"inputs": [{"name": "text", "datatype": "FP32", "shape": [1], "data": [1.0]}]}, "must be BYTES"),
        ({"inputs": [{"name": "text", "datatype": "BYTES", "shape": [0], "data": []}]}, "empty batch"),
        ({"inputs": [{"name": "text", "datatype": "BYTES", "shape": [2], "data": ["a"]}]}, "shape"),
    ],
)
def test_bad_payloads_get_400_and_the_connection_survives(
    embedder_server: ModelServerProcess, body: dict, reason: str
) -> None:
    with httpx.Client(base_url=embedder_server.url) as http:
        response = http.post("/v2/models/embedder/infer", json=body)
        assert response.status_code == 400
        assert reason in response.json()["error"]
        assert http.get("/v2/models/embedder/ready").status_code == 200  # same pooled connection


def test_non_json_v1_body_is_a_400(embedder_server: ModelServerProcess) -> None:
    response = httpx.post(f"{embedder_server.url}/v1/models/embedder:predict", content=b"not json")
    assert response.status_code == 400
    assert "Unrecognized request format" in response.json()["error"]


def test_client_surfaces_400_reason(embedder_server: ModelServerProcess) -> None:
    with (
        EmbedderClient(embedder_server.url) as client,
        pytest.raises(ServiceRequestError, match="empty batch"),
    ):
        client.embed([])
