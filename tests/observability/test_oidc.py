"""OIDC JWT bearer tokens: verified against a JWKS served over real HTTP by a local issuer."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://issuer.shoptalk.test"
AUDIENCE = "shoptalk-gateway"


class Issuer:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": "k1", "use": "sig", "alg": "RS256"})
        body = json.dumps({"keys": [jwk]}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.jwks_url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"

    def token(self, **overrides: Any) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "partner-42", "iat": now, "exp": now + 300}
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    issuer = Issuer()
    yield issuer
    issuer.server.shutdown()


async def test_valid_token_is_accepted_and_bad_ones_refused(gateway, issuer: Issuer) -> None:  # type: ignore[no-untyped-def]
    client = await gateway(
        oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks_url=issuer.jwks_url, api_keys_protect_v1=True
    )

    async def search(token: str | None) -> int:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return (await client.get("/v1/search", params={"q": "boots"}, headers=headers)).status_code

    assert await search(issuer.token()) == 200
    assert await search(None) == 401
    assert await search(issuer.token(exp=int(time.time()) - 3600)) == 401  # expired
    assert await search(issuer.token(aud="someone-else")) == 401
    assert await search(issuer.token(iss="https://evil.test")) == 401
    assert await search(issuer.token(sub=None)) == 401  # sub is required
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60}, other_key,
                        algorithm="RS256", headers={"kid": "k1"})  # fmt: skip
    assert await search(forged) == 401  # signed by someone else
    # alg confusion: HMAC "signed" with the public key must never verify
    public_pem = issuer.key.public_key().public_bytes(
        encoding=serialization.Encoding.PEM, format=serialization.PublicFormat.SubjectPublicKeyInfo
    )
    hmac_token = _hs256(public_pem)
    assert await search(hmac_token) == 401


def _hs256(secret: bytes) -> str:
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
    payload = b64(
        json.dumps({"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60}).encode()
    )
    signature = b64(hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    return f"{header}.{payload}.{signature}"


async def test_tokens_and_keys_work_side_by_side_with_per_subject_limits(gateway, issuer: Issuer) -> None:  # type: ignore[no-untyped-def]
    client = await gateway(
        api_keys="sk-static-key-123456", api_keys_protect_v1=True, oidc_issuer=ISSUER, oidc_audience=AUDIENCE,
        oidc_jwks_url=issuer.jwks_url, rate_limit_rps=0.1, rate_limit_burst=1,
    )  # fmt: skip
    a = {"authorization": f"Bearer {issuer.token(sub='alice')}"}
    b = {"authorization": f"Bearer {issuer.token(sub='bob')}"}
    key = {"x-api-key": "sk-static-key-123456"}
    assert (await client.get("/v1/search", params={"q": "boots"}, headers=a)).status_code == 200
    assert (await client.get("/v1/search", params={"q": "boots"}, headers=a)).status_code == 429
    assert (await client.get("/v1/search", params={"q": "boots"}, headers=b)).status_code == 200
    assert (await client.get("/v1/search", params={"q": "boots"}, headers=key)).status_code == 200
