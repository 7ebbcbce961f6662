"""The gateway's protective layer on the real app: keys, rate limits, body limits, shedding, CORS."""

from __future__ import annotations

import asyncio
import threading

import pytest
from prometheus_client import REGISTRY

from services.gateway.security import TokenBucketLimiter, parse_api_keys

KEY_A = "sk-shoptalk-alpha-7f3a9c"
KEY_B = "sk-shoptalk-bravo-1b2c3d"


def rejected(reason: str) -> float:
    return REGISTRY.get_sample_value("shoptalk_http_rejected_total", {"reason": reason}) or 0.0


def test_parse_api_keys_drops_blanks() -> None:
    assert parse_api_keys(None) == ()
    assert parse_api_keys(" a, ,b ,") == ("a", "b")


def test_token_bucket_refills_at_rate() -> None:
    limiter = TokenBucketLimiter(rate=2.0, burst=2)
    assert limiter.acquire("c", now=0.0) == 0.0
    assert limiter.acquire("c", now=0.0) == 0.0
    assert limiter.acquire("c", now=0.0) == pytest.approx(0.5)
    assert limiter.acquire("other", now=0.0) == 0.0  # buckets are per client
    assert limiter.acquire("c", now=0.5) == 0.0  # one token back after 1/rate s


def test_token_bucket_is_bounded() -> None:
    limiter = TokenBucketLimiter(rate=1.0, burst=1, max_clients=3)
    for i in range(10):
        limiter.acquire(f"client-{i}", now=0.0)
    assert len(limiter._buckets) == 3


async def test_open_by_default(gateway) -> None:  # type: ignore[no-untyped-def]
    client = await gateway()
    assert (await client.get("/v1/search", params={"q": "boots"})).status_code == 200


async def test_v1_needs_a_key_when_configured(gateway) -> None:  # type: ignore[no-untyped-def]
    client = await gateway(api_keys=f"{KEY_A},{KEY_B}", api_keys_protect_v1=True)
    before = rejected("unauthorized")
    missing = await client.get("/v1/search", params={"q": "boots"})
    assert missing.status_code == 401
    assert "missing API key" in missing.json()["error"]
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = await client.get("/v1/search", params={"q": "boots"}, headers={"x-api-key": KEY_A + "x"})
    assert wrong.status_code == 401 and "invalid API key" in wrong.json()["error"]
    assert rejected("unauthorized") == before + 2
    bearer = await client.get(
        "/v1/search", params={"q": "boots"}, headers={"authorization": f"Bearer {KEY_B}"}
    )
    assert bearer.status_code == 200
    header = await client.post("/v1/chat", json={"message": "boots"}, headers={"x-api-key": KEY_A})
    assert header.status_code == 200
    # probes and the web client stay open
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/metrics")).status_code == 200


async def test_admin_paths_need_a_key_even_when_v1_is_open(gateway) -> None:  # type: ignore[no-untyped-def]
    client = await gateway(api_keys=KEY_A)
    assert (await client.get("/v1/search", params={"q": "boots"})).status_code == 200
    assert (await client.get("/v1/agent/handoffs")).status_code == 401
    assert (await client.get("/agent")).status_code == 401  # the console page asks for the key
    assert (await client.get("/v1/agent/handoffs", headers={"x-api-key": KEY_A})).status_code == 200
    # no phantom prefixes: a path that is no route is a plain 404, keyed or not
    assert (await client.post("/v1/ingest", json={})).status_code == 404
    assert (await client.get("/admin/anything")).status_code == 404


async def test_every_admin_prefix_guards_a_real_route(gateway) -> None:  # type: ignore[no-untyped-def]
    from services.gateway.security import ADMIN_PREFIXES

    client = await gateway(api_keys=KEY_A)
    paths = list((await client.get("/openapi.json")).json()["paths"])
    assert "/v1/chat" in paths, paths
    for prefix in ADMIN_PREFIXES:
        assert any(p == prefix or p.startswith(prefix + "/") for p in paths), prefix


def test_production_refuses_to_start_without_keys_and_rate_limit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pydantic import ValidationError

    from ml.config import Settings

    with pytest.raises(ValidationError) as caught:
        Settings(env="production", data_dir=tmp_path)
    message = str(caught.value)
    assert "SHOPTALK_ENV=production refuses to start" in message
    assert "SHOPTALK_API_KEYS" in message and "SHOPTALK_RATE_LIMIT_RPS" in message
    with pytest.raises(ValidationError, match="SHOPTALK_RATE_LIMIT_RPS"):
        Settings(env="production", api_keys=KEY_A, session_secret="s" * 32)
    ok = Settings(env="production", api_keys=KEY_A, rate_limit_rps=5, session_secret="s" * 32)
    assert ok.env == "production"
    oidc = Settings(
        env="production",
        oidc_issuer="https://id.example",
        oidc_jwks_url="https://id.example/jwks",
        rate_limit_rps=5,
        session_secret="s" * 32,
    )
    assert oidc.oidc_issuer
    assert Settings(data_dir=tmp_path).env == "local"  # local stays open by default


def test_forwarded_client_reads_from_the_trusted_right() -> None:
    from services.gateway.security import forwarded_client

    assert forwarded_client(b"1.1.1.1, 10.0.0.9", 0) is None  # default: XFF ignored
    assert forwarded_client(b"6.6.6.6, 1.1.1.1", 1) == "1.1.1.1"  # the ingress appended 1.1.1.1
    assert forwarded_client(b"6.6.6.6, 1.1.1.1, 10.0.0.9", 2) == "1.1.1.1"
    assert forwarded_client(b"1.1.1.1", 2) is None  # did not pass every trusted proxy


async def test_rotating_x_forwarded_for_does_not_bypass_the_limit(gateway) -> None:  # type: ignore[no-untyped-def]
    client = await gateway(rate_limit_rps=0.1, rate_limit_burst=2, trusted_proxy_hops=1)
    statuses = []
    for i in range(5):  # the client writes a new fake leftmost entry every time
        xff = f"203.0.113.{i}, 198.51.100.7"
        r = await client.get("/v1/search", params={"q": "boots"}, headers={"x-forwarded-for": xff})
        statuses.append(r.status_code)
    assert statuses == [200, 200, 429, 429, 429]
    other = await client.get(
        "/v1/search", params={"q": "boots"}, headers={"x-forwarded-for": "198.51.100.8"}
    )
    assert other.status_code == 200  # a different real client has its own bucket


async def test_x_forwarded_for_is_ignored_by_default(gateway) -> None:  # type: ignore[no-untyped-def]
    client = await gateway(rate_limit_rps=0.1, rate_limit_burst=1)
    first = await client.get("/v1/search", params={"q": "a"}, headers={"x-forwarded-for": "1.1.1.1"})
    second = await client.get("/v1/search", params={"q": "a"}, headers={"x-forwarded-for": "2.2.2.2"})
    assert (first.status_code, second.status_code) == (200, 429)


async def test_rate_limit_returns_429_with_retry_after(gateway) -> None:  # type: ignore[no-untyped-def]
    client = await gateway(rate_limit_rps=0.5, rate_limit_burst=3)
    statuses = [(await client.get("/v1/search", params={"q": "boots"})).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = await client.get("/v1/search", params={"q": "boots"})
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 2
    assert limited.json()["error"].startswith("rate limit exceeded")
    assert (await client.get("/healthz")).status_code == 200  # probes are never limited


async def test_rate_limit_is_per_api_key(gateway) -> None:  # type: ignore[no-untyped-def]
    client = await gateway(
        api_keys=f"{KEY_A},{KEY_B}", api_keys_protect_v1=True, rate_limit_rps=0.1, rate_limit_burst=1
    )
    a = {"x-api-key": KEY_A}
    b = {"x-api-key": KEY_B}
    assert (await client.get("/v1/search", params={"q": "boots"}, headers=a)).status_code == 200
    assert (await client.get("/v1/search", params={"q": "boots"}, headers=a)).status_code == 429
    assert (await client.get("/v1/search", params={"q": "boots"}, headers=b)).status_code == 200


async def test_body_limit_by_length_and_by_stream(gateway) -> None:  # type: ignore[no-untyped-def]
    client = await gateway(max_body_bytes=2000)
    big = {"message": "x" * 5000}
    declared = await client.post("/v1/chat", json=big)
    assert declared.status_code == 413 and "limit 2000" in declared.json()["error"]

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b"a" * 500

    streamed = await client.post("/v1/chat", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert "too large" in streamed.json()["error"]


async def test_overload_is_shed_with_503(gateway) -> None:  # type: ignore[no-untyped-def]
    client = await gateway(max_inflight_requests=2)
    searcher = client._transport.app.state.orchestrator.searcher  # type: ignore[attr-defined]
    release = threading.Event()
    real_search = searcher.search

    def slow_search(*args, **kwargs):  # type: ignore[no-untyped-def]
        release.wait(10)
        return real_search(*args, **kwargs)

    searcher.search = slow_search
    before = rejected("overloaded")
    first = asyncio.create_task(client.get("/v1/search", params={"q": "boots"}))
    second = asyncio.create_task(client.get("/v1/search", params={"q": "boots"}))
    while (REGISTRY.get_sample_value("shoptalk_http_inflight_requests") or 0) < 2:
        await asyncio.sleep(0.01)
    shed = await client.get("/v1/products/B0BOOT0001")
    assert shed.status_code == 503
    assert shed.headers["retry-after"] == "1"
    assert "overloaded" in shed.json()["error"]
    assert rejected("overloaded") == before + 1
    assert (await client.get("/healthz")).status_code == 200  # probes are never shed
    release.set()
    assert [r.status_code for r in await asyncio.gather(first, second)] == [200, 200]
    assert REGISTRY.get_sample_value("shoptalk_http_inflight_requests") == 0
    assert (await client.get("/v1/products/B0BOOT0001")).status_code == 200


async def test_cors_only_for_configured_origins(gateway) -> None:  # type: ignore[no-untyped-def]
    client = await gateway(cors_origins="https://shop.example.com", api_keys=KEY_A, api_keys_protect_v1=True)
    preflight = await client.options(
        "/v1/chat",
        headers={
            "origin": "https://shop.example.com",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type,x-api-key",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://shop.example.com"
    denied = await client.get("/healthz", headers={"origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in denied.headers
    # a refused request still carries CORS headers, so the browser can read the 401
    refused = await client.get(
        "/v1/search", params={"q": "x"}, headers={"origin": "https://shop.example.com"}
    )
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "https://shop.example.com"


async def test_no_cors_headers_by_default(gateway) -> None:  # type: ignore[no-untyped-def]
    client = await gateway()
    response = await client.get("/healthz", headers={"origin": "https://shop.example.com"})
    assert "access-control-allow-origin" not in response.headers


def test_keys_never_in_settings_repr() -> None:
    from ml.config import Settings

    settings = Settings(api_keys=KEY_A)
    assert KEY_A not in repr(settings) and KEY_A not in str(settings.model_dump())


async def test_openapi_documents_the_refusals(gateway) -> None:  # type: ignore[no-untyped-def]
    client = await gateway(api_keys=KEY_A, api_keys_protect_v1=True, rate_limit_rps=5)
    spec = (await client.get("/openapi.json")).json()
    chat = spec["paths"]["/v1/chat"]["post"]["responses"]
    assert {"400", "401", "413", "429", "503"} <= set(chat)
    assert "Retry-After" in chat["429"]["headers"] and "Retry-After" in chat["503"]["headers"]
    assert spec["paths"]["/v1/chat"]["post"]["security"] == [{"ApiKeyHeader": []}, {"BearerKey": []}]
    assert spec["components"]["securitySchemes"]["ApiKeyHeader"]["name"] == "X-API-Key"
    health = spec["paths"]["/healthz"]["get"]["responses"]
    assert not {"401", "429", "503"} & set(health)  # probes are never refused


async def test_openapi_without_keys_has_no_401(gateway) -> None:  # type: ignore[no-untyped-def]
    client = await gateway()
    spec = (await client.get("/openapi.json")).json()
    chat = spec["paths"]["/v1/chat"]["post"]
    assert "401" not in chat["responses"] and "security" not in chat
    assert "429" not in chat["responses"]  # rate limiting is off by default
    assert "503" in chat["responses"]  # the shedder is on by default
