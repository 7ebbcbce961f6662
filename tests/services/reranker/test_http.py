"""The reranker served by a real ModelServer subprocess (loopback), spoken to over HTTP v2/v1,
through our client and RemoteReranker, and with bad payloads that must get 400s."""

from __future__ import annotations

import json

import httpx
import numpy as np
import pytest

from ml.catalog.product import Product
from ml.clients.errors import ServiceRequestError
from ml.clients.reranker import RerankerClient
from ml.config import Settings
from ml.retrieval.rerank_remote import RemoteReranker
from ml.retrieval.types import Hit
from services.common.launcher import ModelServerProcess

pytestmark = pytest.mark.integration

QUERY = "stainless steel water bottle"
DOCS = [
    "Clear shockproof case for iPhone 12. Slim TPU bumper.",
    "Men's cotton crew-neck t-shirt, navy. Machine wash.",
    "Insulated stainless steel water bottle, 32 oz. Keeps drinks cold for 24 hours.",
]


def test_metadata_and_readiness(reranker_server: ModelServerProcess) -> None:
    meta = httpx.get(f"{reranker_server.url}/v2/models/reranker").json()
    assert meta["inputs"] == [
        {"name": "query", "datatype": "BYTES", "shape": [1]},
        {"name": "documents", "datatype": "BYTES", "shape": [-1]},
    ]
    assert meta["outputs"] == [{"name": "scores", "datatype": "FP32", "shape": [-1]}]
    assert httpx.get(f"{reranker_server.url}/v2/models/reranker/ready").json()["ready"] is True


def test_v2_round_trip_scores_the_relevant_document_highest(reranker_server: ModelServerProcess) -> None:
    body = {
        "inputs": [
            {"name": "query", "datatype": "BYTES", "shape": [1], "data": [QUERY]},
            {"name": "documents", "datatype": "BYTES", "shape": [3], "data": DOCS},
        ]
    }
    response = httpx.post(f"{reranker_server.url}/v2/models/reranker/infer", json=body)
    assert response.status_code == 200
    result = response.json()
    (output,) = result["outputs"]
    assert output["name"] == "scores" and output["datatype"] == "FP32" and output["shape"] == [3]
    assert int(np.argmax(output["data"])) == 2
    assert result["parameters"]["model_version"] == "ms-marco-MiniLM-L-12-v2-int8"

    # the same documents as one JSON-encoded list give the same scores
    body["inputs"][1] = {"name": "documents", "datatype": "BYTES", "shape": [1], "data": [json.dumps(DOCS)]}
    again = httpx.post(f"{reranker_server.url}/v2/models/reranker/infer", json=body).json()
    np.testing.assert_allclose(again["outputs"][0]["data"], output["data"], rtol=1e-5)


def test_our_client_v1_and_remote_reranker(reranker_server: ModelServerProcess, tmp_path) -> None:
    with RerankerClient(reranker_server.url) as client:
        scores = client.score(QUERY, DOCS)
    v1 = httpx.post(
        f"{reranker_server.url}/v1/models/reranker:predict",
        json={"instances": [{"query": QUERY, "documents": DOCS}]},
    ).json()
    np.testing.assert_allclose(v1["predictions"][0], scores, rtol=1e-5)

    hits = [
        Hit(
            item_id=f"P{i}",
            rank=i + 1,
            score=1.0 / (61 + i),
            keyword_rank=i + 1,
            product=Product(item_id=f"P{i}", title=d),
        )
        for i, d in enumerate(DOCS)
    ]
    settings = Settings(data_dir=tmp_path, reranker_url=reranker_server.url, rerank_budget_ms=5000)
    remote = RemoteReranker.from_settings(settings)
    out = remote.rerank(QUERY, hits, top_n=3)
    assert out[0].item_id == "P2" and out[0].keyword_rank == 3 and out[0].rerank_score is not None
    assert remote.model_version == "ms-marco-MiniLM-L-12-v2-int8"
    remote.close()


@pytest.mark.parametrize(
    ("inputs", "reason"),
    [
        ([{"name": "documents", "datatype": "BYTES", "shape": [1], "data": ["a"]}], "missing required input"),
        (
            [
                {"name": "query", "datatype": "BYTES", "shape": [1], "data": ["q"]},
                {"name": "documents", "datatype": "FP32", "shape": [1], "data": [1.0]},
            ],
            "must be BYTES",
        ),
        (
            [
                {"name": "query", "datatype": "BYTES", "shape": [2], "data": ["q", "r"]},
                {"name": "documents", "datatype": "BYTES", "shape": [1], "data": ["a"]},
            ],
            "exactly one string",
        ),
        (
            [
                {"name": "query", "datatype": "BYTES", "shape": [1], "data": ["q"]},
                {"name": "documents", "datatype": "BYTES", "shape": [0], "data": []},
            ],
            "empty batch",
        ),
        (
            [
                {"name": "query", "datatype": "BYTES", "shape": [1], "data": ["q"]},
                {"name": "documents", "datatype": "BYTES", "shape": [1], "data": ["[1, 2"]},
            ],
            "does not parse",
        ),
        (
            [
                {"name": "query", "datatype": "BYTES", "shape": [1], "data": ["q"]},
                {"name": "documents", "datatype": "BYTES", "shape": [101], "data": ["d"] * 101},
            ],
            "limit is 100",
        ),
    ],
)
def test_bad_payloads_get_400_and_the_connection_survives(
    reranker_server: ModelServerProcess, inputs: list, reason: str
) -> None:
    with httpx.Client(base_url=reranker_server.url) as http:
        response = http.post("/v2/models/reranker/infer", json={"inputs": inputs})
        assert response.status_code == 400, response.text
        assert reason in response.json()["error"]
        assert http.get("/v2/models/reranker/ready").status_code == 200


def test_client_surfaces_400_reason(reranker_server: ModelServerProcess) -> None:
    with RerankerClient(reranker_server.url) as client, pytest.raises(ServiceRequestError, match="empty"):
        client.score("   ", DOCS)
