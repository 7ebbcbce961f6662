"""The gateway's protective layer: API keys, per-client rate limits, body limits, load shedding, CORS.

``install_security(app, settings)`` adds one ASGI middleware (plus Starlette's CORS middleware
outside it when ``SHOPTALK_CORS_ORIGINS`` is set). Per request, in this order:

1. **shedding** — more than ``max_inflight_requests`` in flight → ``503`` + ``Retry-After``
   (fast refusal instead of a queue that ends in client timeouts);
2. **API keys** — ``SHOPTALK_API_KEYS`` (comma-separated) guards admin/ingestion paths, and
   ``/v1/*`` too with ``SHOPTALK_API_KEYS_PROTECT_V1=true``; keys come as
   ``Authorization: Bearer <key>`` or ``X-API-Key``; compared in constant time → ``401``;
3. **rate limits** — a token bucket per client (API key fingerprint, else client address;
   ``X-Forwarded-For`` only when ``SHOPTALK_TRUST_FORWARDED_FOR``) → ``429`` + ``Retry-After``;
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
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from opentelemetry import trace
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ml.config import Settings
from ml.logging import get_logger
from ml.observability import metrics

log = get_logger(__name__)

PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
ADMIN_PREFIXES = ("/admin", "/v1/admin", "/v1/ingest", "/v1/index")
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


def key_fingerprint(key: str) -> str:
    """A short, non-reversible id for a key (rate-limit bucket name, logs)."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


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
def _trace_id() -> str:
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else uuid.uuid4().hex


async def _reply(send: Send, status: int, error: str, headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    tid = _trace_id()
    body = json.dumps({"error": error, "detail": None, "trace_id": tid}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-trace-id", tid.encode()),
                *headers,
            ],
        }
    )
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
        trust_forwarded_for: bool = False,
        admin_prefixes: tuple[str, ...] = ADMIN_PREFIXES,
    ) -> None:
        self.app = app
        self._keys = tuple(k.encode() for k in api_keys)
        self.protect_v1 = protect_v1
        self.limiter = TokenBucketLimiter(rate_limit_rps, rate_limit_burst) if rate_limit_rps > 0 else None
        self.max_inflight = max_inflight
        self.max_body_bytes = max_body_bytes
        self.voice_body_bytes = voice_body_bytes
        self.trust_forwarded_for = trust_forwarded_for
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
            "trust_forwarded_for": settings.trust_forwarded_for,
        }

    # ------------------------------------------------------------------ helpers
    def _needs_key(self, path: str) -> bool:
        if not self._keys:
            return False
        if any(path == p or path.startswith(p + "/") for p in self.admin_prefixes):
            return True
        return self.protect_v1 and (path == "/v1" or path.startswith("/v1/"))

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

    def _client_id(self, scope: Scope, headers: dict[bytes, bytes], key: str | None) -> str:
        if key is not None and self._valid(key):
            return "key:" + key_fingerprint(key)
        if self.trust_forwarded_for:
            forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1").split(",")[0].strip()
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
                send,
                503,
                f"overloaded: {self.inflight} requests in flight, try again shortly",
                [(b"retry-after", b"1")],
            )
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        key = self._presented_key(headers)
        if self._needs_key(path) and not self._valid(key):
            metrics.HTTP_REJECTED.labels(reason="unauthorized").inc()
            reason = "missing API key" if key is None else "invalid API key"
            log.info("security.unauthorized", path=path, reason=reason)
            await _reply(
                send,
                401,
                f"{reason}: send 'Authorization: Bearer <key>' or 'X-API-Key'",
                [(b"www-authenticate", b'Bearer realm="shoptalk"')],
            )
            return
        if self.limiter is not None:
            wait = self.limiter.acquire(self._client_id(scope, headers, key))
            if wait > 0:
                metrics.HTTP_REJECTED.labels(reason="rate-limited").inc()
                retry = max(1, math.ceil(wait))
                await _reply(
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
            await _reply(send, 413, f"request body too large: {int(length)} bytes (limit {limit})")
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


def install_security(app: Any, settings: Settings) -> None:
    """Add the security middleware, and CORS outside it when origins are configured (idempotent)."""
    if getattr(app.state, "shoptalk_security", False):
        return
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
    app.state.shoptalk_security = True
    log.info(
        "security.installed",
        api_keys=len(options["api_keys"]),
        protect_v1=options["protect_v1"],
        rate_limit_rps=options["rate_limit_rps"],
        max_inflight=options["max_inflight"],
        cors_origins=origins,
    )
