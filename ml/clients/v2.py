"""Open Inference Protocol v2 over HTTP (JSON), sync and async, with retries and a circuit breaker.

``V2Client`` (sync, for ingestion and ``HybridSearcher``) and ``AsyncV2Client`` (for the
gateway) share one policy:

* a pooled ``httpx`` client per instance, with a connect and a total timeout;
* retries with exponential backoff on connection errors, timeouts and 5xx — never on 4xx,
  which raise :class:`ServiceRequestError` carrying the server's reason;
* a :class:`CircuitBreaker`: after N consecutive failed calls it opens and calls fail fast
  with :class:`ServiceUnavailable` until the cool-down lets one trial call through.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Self

import httpx
import numpy as np

from ml.clients.breaker import CircuitBreaker
from ml.clients.errors import ServiceRequestError, ServiceUnavailable
from ml.clients.retry import RetryPolicy, is_retryable_status
from ml.logging import get_logger
from ml.observability.propagation import httpx_event_hooks

log = get_logger(__name__)

_DTYPES = {"FP32": np.float32, "FP64": np.float64, "INT32": np.int32, "INT64": np.int64, "BOOL": np.bool_}


# --- tensors ---------------------------------------------------------------------------------
def text_input(name: str, texts: Sequence[str]) -> dict[str, Any]:
    return {"name": name, "datatype": "BYTES", "shape": [len(texts)], "data": list(texts)}


def binary_input(name: str, blobs: Sequence[bytes]) -> dict[str, Any]:
    """Audio/images travel as base64 text in a BYTES tensor (see services/README.md)."""
    data = [base64.b64encode(b).decode("ascii") for b in blobs]
    return {"name": name, "datatype": "BYTES", "shape": [len(blobs)], "data": data}


def _output(response: dict[str, Any], name: str) -> dict[str, Any]:
    for output in response.get("outputs", []):
        if output.get("name") == name:
            return dict(output)
    raise ServiceUnavailable(f"response has no output {name!r}")


def output_array(response: dict[str, Any], name: str) -> np.ndarray:
    output = _output(response, name)
    dtype = _DTYPES.get(str(output.get("datatype")))
    if dtype is None:
        raise ServiceUnavailable(f"output {name!r} has unsupported datatype {output.get('datatype')}")
    return np.asarray(output.get("data", []), dtype=dtype).reshape(output["shape"])


def output_strings(response: dict[str, Any], name: str) -> list[str]:
    return [str(v) for v in _output(response, name).get("data", [])]


def _error_reason(response: httpx.Response) -> str:
    try:
        body = response.json()
        if isinstance(body, dict):
            return str(body.get("error") or body.get("detail") or body)
    except ValueError:
        pass
    return response.text[:500] or response.reason_phrase


# --- shared core -------------------------------------------------------------------------------
class _Base:
    def __init__(
        self,
        base_url: str,
        model: str,
        timeout_s: float = 10.0,
        retry: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        base_url = base_url.rstrip("/")
        marker = f"/v2/models/{model}"
        if base_url.endswith(marker):  # accept the model URL as well as the server URL
            base_url = base_url[: -len(marker)]
        self.base_url = base_url
        self.model = model
        self.timeout_s = timeout_s
        self.retry = retry or RetryPolicy()
        self.breaker = breaker or CircuitBreaker()
        self.timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0))
        self.limits = httpx.Limits(max_connections=32, max_keepalive_connections=8)

    @property
    def model_path(self) -> str:
        return f"/v2/models/{self.model}"

    def _gate(self) -> None:
        if not self.breaker.allow():
            raise ServiceUnavailable(
                f"{self.model} service circuit is open (retry in {self.breaker.retry_after_s():.1f}s)"
            )

    def _accept(self, response: httpx.Response) -> dict[str, Any] | None:
        """Parsed body on success; raises on 4xx; ``None`` means retryable."""
        status = response.status_code
        if is_retryable_status(status):
            return None
        if 400 <= status < 500:
            self.breaker.record_success()  # the service is alive; the request is wrong
            raise ServiceRequestError(status, _error_reason(response))
        if status >= 300:
            self.breaker.record_failure()
            raise ServiceUnavailable(f"{self.model}: unexpected HTTP {status}")
        self.breaker.record_success()
        try:
            body = response.json()
        except ValueError as exc:
            raise ServiceUnavailable(f"{self.model}: response is not JSON") from exc
        return body if isinstance(body, dict) else {"value": body}

    @contextmanager
    def _verdict(self) -> Iterator[None]:
        """Whatever ends a call, the breaker hears about it: our own errors already recorded their
        verdict; any other exception is a failure; a cancellation (``asyncio.CancelledError``,
        ``KeyboardInterrupt``) releases a half-open trial without a verdict."""
        try:
            yield
        except (ServiceRequestError, ServiceUnavailable):
            raise
        except Exception:
            self.breaker.record_failure()
            raise
        except BaseException:
            self.breaker.release_trial()
            raise

    def _give_up(self, last: str, attempts: int) -> ServiceUnavailable:
        self.breaker.record_failure()
        log.warning("service.unavailable", model=self.model, url=self.base_url, attempts=attempts, error=last)
        return ServiceUnavailable(f"{self.model} service unavailable after {attempts} attempt(s): {last}")


class V2Client(_Base):
    """Synchronous v2 client (thread-safe: httpx.Client pools connections across threads)."""

    def __init__(self, *args: Any, client: httpx.Client | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._client = client or httpx.Client(
            base_url=self.base_url, timeout=self.timeout, limits=self.limits, event_hooks=httpx_event_hooks()
        )

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        self._gate()
        with self._verdict():
            return self._attempts(method, path, body)

    def _attempts(self, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        last = "no attempt"
        attempts = 0
        for attempt in range(self.retry.retries + 1):
            if attempt:
                time.sleep(self.retry.delay(attempt))
            attempts += 1
            try:
                response = self._client.request(method, path, json=body)
            except httpx.HTTPError as exc:  # connection errors, timeouts, protocol errors
                last = f"{type(exc).__name__}: {exc}"
                continue
            parsed = self._accept(response)
            if parsed is not None:
                return parsed
            last = f"HTTP {response.status_code}: {_error_reason(response)}"
        raise self._give_up(last, attempts)

    def infer(self, inputs: list[dict[str, Any]], parameters: dict[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"inputs": inputs}
        if parameters:
            body["parameters"] = parameters
        return self._request("POST", f"{self.model_path}/infer", body)

    def metadata(self) -> dict[str, Any]:
        return self._request("GET", self.model_path)

    def ready(self) -> bool:
        try:
            response = self._client.get(f"{self.model_path}/ready", timeout=min(self.timeout_s, 2.0))
        except httpx.TransportError:
            return False
        return response.status_code == 200 and bool(response.json().get("ready", False))

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncV2Client(_Base):
    """Asynchronous v2 client for the gateway (one ``httpx.AsyncClient`` connection pool)."""

    def __init__(self, *args: Any, client: httpx.AsyncClient | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._client = client or httpx.AsyncClient(
            base_url=self.base_url,
            timeout=self.timeout,
            limits=self.limits,
            event_hooks=httpx_event_hooks(asynchronous=True),
        )

    async def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        self._gate()
        with self._verdict():
            return await self._attempts(method, path, body)

    async def _attempts(self, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        last = "no attempt"
        attempts = 0
        for attempt in range(self.retry.retries + 1):
            if attempt:
                await asyncio.sleep(self.retry.delay(attempt))
            attempts += 1
            try:
                response = await self._client.request(method, path, json=body)
            except httpx.HTTPError as exc:  # connection errors, timeouts, protocol errors
                last = f"{type(exc).__name__}: {exc}"
                continue
            parsed = self._accept(response)
            if parsed is not None:
                return parsed
            last = f"HTTP {response.status_code}: {_error_reason(response)}"
        raise self._give_up(last, attempts)

    async def infer(
        self, inputs: list[dict[str, Any]], parameters: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"inputs": inputs}
        if parameters:
            body["parameters"] = parameters
        return await self._request("POST", f"{self.model_path}/infer", body)

    async def metadata(self) -> dict[str, Any]:
        return await self._request("GET", self.model_path)

    async def ready(self) -> bool:
        try:
            response = await self._client.get(f"{self.model_path}/ready", timeout=min(self.timeout_s, 2.0))
        except httpx.TransportError:
            return False
        return response.status_code == 200 and bool(response.json().get("ready", False))

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def breaker_from_settings(settings: Any) -> CircuitBreaker:
    return CircuitBreaker(settings.service_breaker_failures, settings.service_breaker_reset_s)


def retry_from_settings(settings: Any) -> RetryPolicy:
    return RetryPolicy(retries=settings.service_retries)
