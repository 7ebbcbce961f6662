"""The HTTP API in offline mode: chat, search, products, health, metrics, OpenAPI."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.fakes.catalog import sample_products

CATALOG_IDS = {p.item_id for p in sample_products()}


async def test_chat_returns_catalog_products_and_grounded_offline_answer(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/chat", json={"message": "waterproof hiking boots"})
    assert r.status_code == 200, r.text
    body = r.json()
    ids = [p["item_id"] for p in body["products"]]
    assert ids and set(ids) <= CATALOG_IDS
    assert all(p["product_type"] == "BOOT" for p in body["products"][:3])
    assert body["degraded"] == "no-llm"
    assert body["answered_by"] == "offline"
    assert body["search_mode"] == "hybrid"
    assert body["session_id"] and len(body["trace_id"]) == 32
    assert r.headers["x-trace-id"] == body["trace_id"]
    # the answer names the products it cites, with prices, and the citations are verified
    assert body["citations"] and set(body["citations"]) <= set(ids)
    first = body["products"][0]
    assert first["title"] in body["answer"] and f"${first['price']:,.2f}" in body["answer"]
    assert "cheapest" in body["answer"]  # a comparison when several match
    assert all(p["cited"] == (p["item_id"] in body["citations"]) for p in body["products"])
    assert "keyword #" in first["why"] or "semantic #" in first["why"]
    with_image = {p.item_id for p in sample_products() if p.image_path}
    for card in body["products"]:
        expected = f"/v1/products/{card['item_id']}/image" if card["item_id"] in with_image else None
        assert card["image_url"] == expected


async def test_chat_with_filters_applies_them(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/v1/chat", json={"message": "hiking boots", "filters": {"price_max": 100, "colors": ["black"]}}
    )
    assert r.status_code == 200, r.text
    products = r.json()["products"]
    assert products
    assert all(p["price"] <= 100 and "black" in p["colors"] for p in products)
    assert r.json()["filters"]["price_max"] == 100


async def test_chat_nothing_found_is_honest(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/chat", json={"message": "hiking boots", "filters": {"price_max": 1}})
    body = r.json()
    assert r.status_code == 200
    # nothing fits the price: said plainly; the closest items are shown, marked as alternatives
    assert body["no_match"] is True and body["alternatives"] is True
    assert "couldn't find" in body["answer"].lower() and "$1" in body["answer"]
    assert "alternative" in body["answer"].lower() or "close" in body["answer"].lower()


async def test_search_endpoint(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/search", params={"q": "hiking boots", "k": 3, "price_max": 100, "type": "BOOT"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["mode"] == "hybrid" and len(body["hits"]) == 3
    assert all(h["product"]["price"] <= 100 and h["product"]["product_type"] == "BOOT" for h in body["hits"])
    r = await client.get("/v1/search", params={"q": "boots", "mode": "keyword", "brand": "Peak Co"})
    assert r.json()["mode"] == "keyword"
    assert {h["product"]["brand"] for h in r.json()["hits"]} == {"Peak Co"}


async def test_product_and_image(client: httpx.AsyncClient, settings) -> None:  # type: ignore[no-untyped-def]
    r = await client.get("/v1/products/B0BOOT0001")
    assert r.status_code == 200 and r.json()["title"] == "TrailMaster Waterproof Hiking Boots"
    r = await client.get("/v1/products/NOPE000000")
    assert r.status_code == 404 and "unknown product" in r.json()["error"]
    # image: none on disk yet → a placeholder, never a broken image; then write one where images_dir points
    missing = await client.get("/v1/products/B0BOOT0001/image")
    assert missing.status_code == 200 and missing.headers.get("x-image-placeholder") == "true"
    image_dir = Path(settings.images_dir) / "aa"
    image_dir.mkdir(parents=True)
    jpeg = b"\xff\xd8\xff\xe0" + b"0" * 100 + b"\xff\xd9"
    (image_dir / "B0BOOT0001.jpg").write_bytes(jpeg)
    r = await client.get("/v1/products/B0BOOT0001/image")
    assert r.status_code == 200 and r.content == jpeg and r.headers["content-type"] == "image/jpeg"
    # a product without an image_path: the placeholder; an unknown product: 404 naming it
    none = await client.get("/v1/products/B0BOOT0003/image")
    assert none.status_code == 200 and none.headers.get("x-image-placeholder") == "true"
    unknown = await client.get("/v1/products/NOPE000000/image")
    assert unknown.status_code == 404 and "NOPE000000" in unknown.json()["error"]


async def test_health_ready_and_metrics(client: httpx.AsyncClient, searcher) -> None:  # type: ignore[no-untyped-def]
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    r = await client.get("/readyz")
    assert r.status_code == 200 and r.json()["ready"] is True
    await client.post("/v1/chat", json={"message": "phone case"})
    await client.get("/v1/products/B0CASE0001")
    text = (await client.get("/metrics")).text
    assert 'shoptalk_http_requests_total{method="POST",route="/v1/chat",status="200"}' in text
    assert 'route="/v1/products/{item_id}"' in text  # a template, not the raw path
    assert "B0CASE0001" not in text
    assert 'shoptalk_degraded_answers_total{reason="no-llm"}' in text
    assert 'shoptalk_index_documents{index="keyword"} 12.0' in text
    assert 'shoptalk_stage_duration_seconds_count{stage="search"}' in text
    # an index going down makes the gateway unready, with details, and chat still answers
    searcher.vector.down = True
    r = await client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["vector_index"] is False and "vector_index" in r.json()["detail"]
    r = await client.post("/v1/chat", json={"message": "waterproof hiking boots"})
    assert r.status_code == 200 and r.json()["products"]
    assert r.json()["degraded"] == "no-llm,vector-index-unavailable"
    assert r.json()["search_mode"] == "keyword"


async def test_openapi_documents_the_api(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path in (
        "/v1/chat",
        "/v1/search",
        "/v1/products/{item_id}",
        "/v1/products/{item_id}/image",
        "/healthz",
        "/readyz",
        "/metrics",
    ):
        assert path in spec["paths"], path
    chat = spec["paths"]["/v1/chat"]["post"]
    assert "text/event-stream" in chat["responses"]["200"]["content"]
    assert "ChatResponse" in json.dumps(chat["responses"]["200"])


async def test_web_client_is_served(client: httpx.AsyncClient) -> None:
    r = await client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "<script" in r.text
    assert (await client.get("/static/app.js")).status_code == 200
