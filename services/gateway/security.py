"""The gateway's protective layer: API keys, per-client rate limits, body limits, load shedding, CORS.

``install_security(app, settings)`` adds one ASGI middleware (plus Starlette's CORS middleware
outside it when ``SHOPTALK_CORS_ORIGINS`` is set). Per request, in this order:

1. **shedding** — more than ``max_inflight_requests`` in flight → ``503`` + ``Retry-After``
   (fast refusal instead of a queue that ends in client timeouts);
2. **API keys** — ``SHOPTALK_API_KEYS`` (comma-separated) guards admin/ingestion paths, and
   ``/v1/*`` too with ``SHOPTALK_API_KEYS_PROTECT_V1=true``; keys come as
   ``Authorization: Bearer <key>`` or ``X-API-Key``; compared in constant time → ``401``.
   With ``SHOPTALK_OIDC_ISSUER`` + ``SHOPTALK_OIDC_JWKS_URL`` (+ ``SHOPTALK_OIDC_AUDIENCE``) a
   Bearer OIDC access token (JWT, RS/ES/PS-signed, ``iss``/``aud``/``exp`` checked) works too;
3. **rate limits** — a token bucket per client (API key fingerprint or token subject, else address;
   ``X-Forwarded-For`` only behind ``SHOPTALK_TRUSTED_PROXY_HOPS`` proxies, read from the right so a
   client cannot pick its own bucket) → ``429`` + ``Retry-After``;
4. **body size** — ``Content-Length`` over the limit → ``413`` unread; bodies without a length are
   counted while read and cut off at the limit (``413`` too). The voice route's limit is
   ``asr_max_bytes`` plus multipart overhead; it checks audio bytes/seconds itself.

Probes (``/healthz``, ``/readyz``, ``/metrics``) are never shed, limited or authenticated.
Errors use the gateway's body shape ``{"error", "detail", "trace_id"}`` and never echo a key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ml.config import Settings
from ml.logging import get_logger
from ml.observability import metrics
from ml.observability.tracing import new_trace_id

log = get_logger(__name__)

PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
# Only prefixes of routes that exist (a test checks each one guards at least one route); the agent
# console page (``/agent``) checks the key itself so a browser can load the key form.
ADMIN_PREFIXES = ("/v1/agent",)
VOICE_PATH = "/v1/voice"
MULTIPART_OVERHEAD = 1_000_000


def parse_api_keys(secret: Any) -> tuple[str, ...]:
    """Keys from a ``SecretStr`` (or str) of comma-separated values; blanks dropped."""
    if secret is None:
        return ()
    raw = secret.get_secret_value() if hasattr(secret, "get_secret_value") else str(secret)
    return tuple(k.strip() for k in raw.split(",") if k.strip())


def parse_origins(value: str) -> list[str]:
    return [o.strip() for o in value.split(",") if o.strip()]


def requires_key(
    path: str, keys_configured: bool, protect_v1: bool, admin_prefixes: tuple[str, ...] = ADMIN_PREFIXES
) -> bool:
    """Admin/ingestion paths need a key whenever keys are configured; ``/v1/*`` when asked to."""
    if not keys_configured:
        return False
    if any(path == p or path.startswith(p + "/") for p in admin_prefixes):
        return True
    return protect_v1 and (path == "/v1" or path.startswith("/v1/"))


def forwarded_client(header: bytes, hops: int) -> str | None:
    """The client address behind ``hops`` trusted proxies: the ``hops``-th ``X-Forwarded-For`` entry
    from the right (each proxy appends the address it saw; everything left of that was written by
    the client and is ignored). ``None`` without trusted hops, or when the request did not pass
    through all of them (fewer entries): then the peer address counts."""
    if hops <= 0 or not header:
        return None
    entries = [e.strip() for e in header.decode("latin-1").split(",")]
    if len(entries) < hops:
        return None
    return entries[-hops] or None


def key_fingerprint(key: str) -> str:
    """A short, non-reversible id for a key (rate-limit bucket name, logs)."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


class JWTVerifier:
    """OIDC access tokens: signature from the issuer's JWKS (RS/ES/PS algorithms only — never
    ``none`` or HMAC, which would let a public key act as a shared secret), ``iss``, ``aud``,
    ``exp``/``nbf`` checked. Keys are cached by PyJWT's JWKS client (5 min)."""

    ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "PS256")

    def __init__(self, issuer: str, audience: str | None, jwks_url: str, leeway_s: float = 30.0) -> None:
        import jwt

        self.issuer = issuer
        self.audience = audience
        self.leeway_s = leeway_s
        self._jwt = jwt
        self._jwks = jwt.PyJWKClient(jwks_url, cache_jwk_set=True, lifespan=300, timeout=5)

    @staticmethod
    def looks_like_jwt(token: str) -> bool:
        return token.count(".") == 2 and len(token) > 20

    def subject(self, token: str) -> str | None:
        """The token's ``sub`` when valid, else ``None`` (the reason is logged, the token never)."""
        jwt = self._jwt
        try:
            key = self._jwks.get_signing_key_from_jwt(token).key
            claims = jwt.decode(
                token,
                key=key,
                algorithms=list(self.ALGORITHMS),
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "iss", "sub"], "verify_aud": self.audience is not None},
            )
        except jwt.PyJWTError as exc:
            log.info("security.jwt_rejected", reason=type(exc).__name__)
            return None
        return str(claims["sub"])


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int, size: int | None = None) -> None:
        what = f"{size} bytes" if size is not None else "more bytes"
        super().__init__(413, f"request body too large: {what} (limit {limit})")
        metrics.HTTP_REJECTED.labels(reason="body-too-large").inc()


# --- token buckets -------------------------------------------------------------------------------
@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBucketLimiter:
    """Per-client token buckets (refill ``rate`` tokens/s up to ``burst``), LRU-bounded."""

    def __init__(self, rate: float, burst: int, max_clients: int = 10_000) -> None:
        self.rate = rate
        self.burst = burst
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, client: str, now: float | None = None) -> float:
        """``0.0`` when a token was taken, else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                bucket = _Bucket(float(self.burst), now)
                self._buckets[client] = bucket
                if len(self._buckets) > self.max_clients:
                    self._buckets.popitem(last=False)
            else:
                self._buckets.move_to_end(client)
                bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
                bucket.updated = now
            metrics.RATE_LIMITED_CLIENTS.set(len(self._buckets))
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate


# --- the middleware ----------------------------------------------------------------------------------
async def _reply(
    scope: Scope, send: Send, status: int, error: str, headers: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    """A JSON error in the gateway's shape. When an outer middleware already gave the request a
    trace id (the gateway's MetricsMiddleware, which also sets ``x-trace-id``), reuse it."""
    state_tid = (scope.get("state") or {}).get("trace_id")
    tid = str(state_tid or new_trace_id())
    body = json.dumps({"error": error, "detail": None, "trace_id": tid}).encode()
    response_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if not state_tid:
        response_headers.append((b"x-trace-id", tid.encode()))
    await send({"type": "http.response.start", "status": status, "headers": [*response_headers, *headers]})
    await send({"type": "http.response.body", "body": body})


class SecurityMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        api_keys: tuple[str, ...] = (),
        protect_v1: bool = False,
        rate_limit_rps: float = 0.0,
        rate_limit_burst: int = 20,
        max_inflight: int = 0,
        max_body_bytes: int = 1_000_000,
        voice_body_bytes: int = 11_000_000,
        trusted_proxy_hops: int = 0,
        admin_prefixes: tuple[str, ...] = ADMIN_PREFIXES,
        jwt_verifier: JWTVerifier | None = None,
    ) -> None:
        self.app = app
        self._keys = tuple(k.encode() for k in api_keys)
        self.jwt_verifier = jwt_verifier
        self.protect_v1 = protect_v1
        self.limiter = TokenBucketLimiter(rate_limit_rps, rate_limit_burst) if rate_limit_rps > 0 else None
        self.max_inflight = max_inflight
        self.max_body_bytes = max_body_bytes
        self.voice_body_bytes = voice_body_bytes
        self.trusted_proxy_hops = trusted_proxy_hops
        self.admin_prefixes = admin_prefixes
        self.inflight = 0
        metrics.HTTP_INFLIGHT_LIMIT.set(max_inflight)

    @classmethod
    def options_from_settings(cls, settings: Settings) -> dict[str, Any]:
        return {
            "api_keys": parse_api_keys(settings.api_keys),
            "protect_v1": settings.api_keys_protect_v1,
            "rate_limit_rps": settings.rate_limit_rps,
            "rate_limit_burst": settings.rate_limit_burst,
            "max_inflight": settings.max_inflight_requests,
            "max_body_bytes": settings.max_body_bytes,
            "voice_body_bytes": settings.asr_max_bytes + MULTIPART_OVERHEAD,
            "trusted_proxy_hops": settings.proxy_hops,
            "jwt_verifier": (
                JWTVerifier(settings.oidc_issuer, settings.oidc_audience, settings.oidc_jwks_url)
                if settings.oidc_issuer and settings.oidc_jwks_url
                else None
            ),
        }

    # ------------------------------------------------------------------ helpers
    def _needs_key(self, path: str) -> bool:
        return requires_key(
            path, bool(self._keys) or self.jwt_verifier is not None, self.protect_v1, self.admin_prefixes
        )

    @staticmethod
    def _presented_key(headers: dict[bytes, bytes]) -> str | None:
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth[:7].lower() == "bearer " and auth[7:].strip():
            return auth[7:].strip()
        key = headers.get(b"x-api-key", b"").decode("latin-1").strip()
        return key or None

    def _valid(self, key: str | None) -> bool:
        if key is None:
            return False
        presented = key.encode()
        ok = False
        for known in self._keys:  # no early exit: constant time over the key list
            ok |= hmac.compare_digest(presented, known)
        return ok

    async def _identify(self, key: str | None) -> str | None:
        """``key:<fingerprint>`` for a known API key, ``sub:<hash>`` for a valid OIDC token, else None."""
        if key is None:
            return None
        if self._valid(key):
            return "key:" + key_fingerprint(key)
        if self.jwt_verifier is not None and self.jwt_verifier.looks_like_jwt(key):
            # JWKS fetches block: verify off the event loop (keys are cached after the first call)
            subject = await anyio.to_thread.run_sync(self.jwt_verifier.subject, key)
            if subject is not None:
                return "sub:" + key_fingerprint(subject)
        return None

    def _client_id(self, scope: Scope, headers: dict[bytes, bytes], identity: str | None) -> str:
        if identity is not None:
            return identity
        forwarded = forwarded_client(headers.get(b"x-forwarded-for", b""), self.trusted_proxy_hops)
        if forwarded:
            return "ip:" + forwarded[:64]
        client = scope.get("client")
        return "ip:" + (str(client[0]) if client else "unknown")

    def _body_limit(self, path: str) -> int:
        return self.voice_body_bytes if path == VOICE_PATH else self.max_body_bytes

    # ------------------------------------------------------------------ ASGI
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in PROBE_PATHS or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        if self.max_inflight and self.inflight >= self.max_inflight:
            metrics.HTTP_REJECTED.labels(reason="overloaded").inc()
            await _reply(
                scope,
                send,
                503,
                f"overloaded: {self.inflight} requests in flight, try again shortly",
                [(b"retry-after", b"1")],
            )
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        key = self._presented_key(headers)
        identity = await self._identify(key)
        if self._needs_key(path) and identity is None:
            metrics.HTTP_REJECTED.labels(reason="unauthorized").inc()
            reason = "missing API key" if key is None else "invalid API key or token"
            log.info("security.unauthorized", path=path, reason=reason)
            await _reply(
                scope,
                send,
                401,
                f"{reason}: send 'Authorization: Bearer <key>' or 'X-API-Key'",
                [(b"www-authenticate", b'Bearer realm="shoptalk"')],
            )
            return
        if self.limiter is not None:
            wait = self.limiter.acquire(self._client_id(scope, headers, identity))
            if wait > 0:
                metrics.HTTP_REJECTED.labels(reason="rate-limited").inc()
                retry = max(1, math.ceil(wait))
                await _reply(
                    scope,
                    send,
                    429,
                    f"rate limit exceeded: retry in {retry}s",
                    [(b"retry-after", str(retry).encode())],
                )
                return
        limit = self._body_limit(path)
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            metrics.HTTP_REJECTED.labels(reason="body-too-large").inc()
            await _reply(scope, send, 413, f"request body too large: {int(length)} bytes (limit {limit})")
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message.get("type") == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        self.inflight += 1
        metrics.HTTP_INFLIGHT.set(self.inflight)
        try:
            await self.app(scope, limited_receive, send)
        finally:
            self.inflight -= 1
            metrics.HTTP_INFLIGHT.set(self.inflight)


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "What went wrong, for a person."},
        "detail": {"description": "Structured detail, when there is any."},
        "trace_id": {"type": ["string", "null"], "description": "Quote it when reporting a problem."},
    },
    "required": ["error"],
}
RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}
}


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": ERROR_SCHEMA}},
    }
    if headers:
        response["headers"] = headers
    return response


def document_error_responses(app: Any, middleware_options: dict[str, Any]) -> None:
    """Add the responses this layer (and request parsing) can produce to every operation's spec.

    400 malformed body, 401 missing/invalid key (protected paths, with the security schemes),
    413 body too large, 429 rate limited, 503 overloaded — so clients and schema checkers see them.
    """
    original = app.openapi
    keys_configured = bool(middleware_options.get("api_keys"))
    protect_v1 = bool(middleware_options.get("protect_v1"))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return dict(app.openapi_schema)
        spec = original()
        protected = False
        for path, item in spec.get("paths", {}).items():
            for operation in item.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                responses = operation["responses"]
                if "requestBody" in operation:
                    responses.setdefault("400", _error("Malformed request body (not parseable)."))
                    responses.setdefault("413", _error("Request body too large."))
                if path in PROBE_PATHS:
                    continue
                if middleware_options.get("rate_limit_rps", 0) > 0:
                    responses.setdefault("429", _error("Rate limit exceeded for this client.", RETRY_AFTER))
                if middleware_options.get("max_inflight", 0) > 0:
                    responses.setdefault("503", _error("Overloaded: try again shortly.", RETRY_AFTER))
                if requires_key(path, keys_configured, protect_v1):
                    protected = True
                    responses.setdefault("401", _error("Missing or invalid API key."))
                    operation.setdefault("security", [{"ApiKeyHeader": []}, {"BearerKey": []}])
        if protected:
            schemes = spec.setdefault("components", {}).setdefault("securitySchemes", {})
            schemes["ApiKeyHeader"] = {"type": "apiKey", "in": "header", "name": "X-API-Key"}
            schemes["BearerKey"] = {"type": "http", "scheme": "bearer"}
        app.openapi_schema = spec
        return dict(spec)

    app.openapi = openapi


def install_security(app: Any, settings: Settings) -> None:
    """Add the security middleware, and CORS outside it when origins are configured (idempotent).

    Call it right *before* ``app.add_middleware(MetricsMiddleware)`` so refusals (401/413/429/503)
    are still counted in ``shoptalk_http_requests_total`` (route ``unmatched``) and carry the
    request's trace id; tracing goes outermost (``install_tracing`` after the metrics middleware).
    """
    if getattr(app.state, "shoptalk_security", False):
        return
    if settings.trust_forwarded_for:
        log.warning(
            "security.deprecated_setting",
            setting="SHOPTALK_TRUST_FORWARDED_FOR",
            use="SHOPTALK_TRUSTED_PROXY_HOPS",
            trusted_proxy_hops=settings.proxy_hops,
        )
    options = SecurityMiddleware.options_from_settings(settings)
    app.add_middleware(SecurityMiddleware, **options)
    origins = parse_origins(settings.cors_origins)
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
            allow_headers=["authorization", "content-type", "x-api-key", "traceparent", "tracestate"],
            expose_headers=["x-trace-id", "retry-after"],
            allow_credentials=False,
            max_age=600,
        )
    document_error_responses(app, options)
    app.state.shoptalk_security = True
    log.info(
        "security.installed",
        api_keys=len(options["api_keys"]),
        protect_v1=options["protect_v1"],
        rate_limit_rps=options["rate_limit_rps"],
        max_inflight=options["max_inflight"],
        cors_origins=origins,
    )
