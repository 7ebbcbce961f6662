"""Bad requests get a 4xx with a clear reason — never a 500."""

from __future__ import annotations

import json

import httpx
import pytest

from ml.config import Settings
from services.gateway.app import create_app
from tests.fakes.catalog import build_test_searcher

BAD_CHAT_BODIES = [
    ({"message": ""}, "message"),
    ({"message": "   \n\t "}, "blank"),
    ({"message": "x" * 100_000}, "longer than 4000"),
    ({}, "message"),
    ({"message": 42}, "message"),
    ({"message": ["boots"]}, "message"),
    ({"message": "boots", "filters": {"size": 10}}, "size"),
    ({"message": "boots", "filters": {"price_max": "cheap"}}, "price_max"),
    ({"message": "boots", "filters": {"price_min": -5}}, "price_min"),
    ({"message": "boots", "filters": {"price_min": 50, "price_max": 10}}, "price_min must not exceed"),
    ({"message": "boots", "filters": {"colors": "black"}}, "colors"),
    ({"message": "boots", "filters": "cheap"}, "filters"),
    ({"message": "boots", "stream": "maybe"}, "stream"),
    ({"message": "boots", "k": 0}, "k"),
    ({"message": "boots", "k": 1000}, "k"),
    ({"message": "boots", "mode": "psychic"}, "mode"),
    ({"message": "boots", "session_id": "../../etc/passwd"}, "session_id"),
    ({"message": "boots", "colour": "black"}, "colour"),
]


@pytest.mark.parametrize(("body", "reason"), BAD_CHAT_BODIES, ids=[r for _, r in BAD_CHAT_BODIES])
async def test_bad_chat_bodies_are_422_with_reason(
    client: httpx.AsyncClient, body: dict, reason: str
) -> None:
    r = await client.post("/v1/chat", json=body)
    assert r.status_code == 422, r.text
    error = r.json()
    assert error["error"].startswith("invalid request") and reason in error["error"]
    assert error["trace_id"]
    assert len(r.content) < 5_000  # the 100 KB input is not echoed back


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b"{not json", {"content-type": "application/json"}),
        (b"", {"content-type": "application/json"}),
        (b"[1, 2]", {"content-type": "application/json"}),
        (b"null", {"content-type": "application/json"}),
        ('{"message": "\udcff"}'.encode("utf-8", "surrogatepass"), {"content-type": "application/json"}),
        (b"message=boots", {"content-type": "application/x-www-form-urlencoded"}),
    ],
)
async def test_malformed_bodies_are_4xx(client: httpx.AsyncClient, content: bytes, headers: dict) -> None:
    r = await client.post("/v1/chat", content=content, headers=headers)
    assert 400 <= r.status_code < 500, r.text
    assert "error" in r.json()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "  "},
        {"q": "boots", "k": "ten"},
        {"q": "boots", "k": 0},
        {"q": "boots", "k": 101},
        {"q": "boots", "mode": "magic"},
        {"q": "boots", "price_max": "cheap"},
        {"q": "boots", "price_min": -1},
        {"q": "boots", "price_min": 50, "price_max": 10},
        {"q": "boots", "size": 10},
        {"q": "x" * 5000},
    ],
)
async def test_bad_search_params_are_422(client: httpx.AsyncClient, params: dict) -> None:
    r = await client.get("/v1/search", params=params)
    assert r.status_code == 422, r.text
    assert r.json()["error"].startswith("invalid request")


async def test_bad_paths_and_methods(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/products/has%20space")).status_code == 422
    assert (await client.get("/v1/products/" + "A" * 65)).status_code == 422
    assert (await client.get("/v1/nothing")).status_code == 404
    assert (await client.get("/v1/chat")).status_code == 405
    assert (await client.delete("/v1/sessions/bad!id")).status_code == 422


async def test_max_message_length_is_configurable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(Settings(data_dir=tmp_path, max_message_chars=10), searcher=build_test_searcher())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g") as c:
        r = await c.post("/v1/chat", json={"message": "hiking boots please"})
        assert r.status_code == 422 and "longer than 10 characters" in r.json()["error"]
        assert (await c.post("/v1/chat", json={"message": "boots"})).status_code == 200


async def test_unexpected_errors_become_json_500_with_trace_id(tmp_path) -> None:  # type: ignore[no-untyped-def]
    searcher = build_test_searcher()

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    searcher.search = broken  # type: ignore[method-assign]
    app = create_app(Settings(data_dir=tmp_path), searcher=searcher)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://g") as c:
        r = await c.post("/v1/chat", json={"message": "boots"})
        assert r.status_code == 500
        assert r.json()["error"] == "internal error" and r.json()["trace_id"] == r.headers["x-trace-id"]
        assert "boom" not in r.text
        metrics = (await c.get("/metrics")).text
        assert 'shoptalk_http_requests_total{method="POST",route="/v1/chat",status="500"}' in metrics


async def test_unexpected_error_mid_stream_becomes_an_error_event(tmp_path) -> None:  # type: ignore[no-untyped-def]
    searcher = build_test_searcher()

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    searcher.search = broken  # type: ignore[method-assign]
    app = create_app(Settings(data_dir=tmp_path), searcher=searcher)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g") as c:
        r = await c.post("/v1/chat", json={"message": "boots", "stream": True})
        assert r.status_code == 200  # headers were already sent when the failure happened
        assert r.text.startswith("event: error\n")
        error = json.loads(r.text.split("data: ", 1)[1])
        assert error["error"] == "internal error" and error["trace_id"] == r.headers["x-trace-id"]
        assert "boom" not in r.text


async def test_oversized_chat_body_is_413_before_parsing(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/chat", json={"message": "x" * 2_000_000})
    assert r.status_code == 413
    assert "too large" in r.json()["error"] and r.json()["trace_id"] == r.headers["x-trace-id"]
    metrics = (await client.get("/metrics")).text
    assert 'shoptalk_http_requests_total{method="POST",route="unmatched",status="413"}' in metrics
