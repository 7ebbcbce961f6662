"""A bounded asyncio/httpx load driver: N concurrent shoppers holding multi-turn sessions for T s.

Each virtual shopper loops over scripted conversations (a first question, then follow-ups that
reuse the ``session_id``), one request at a time, until the deadline. The driver never opens
more than N connections, stops issuing requests at the deadline and waits at most
``timeout_s`` for the ones in flight, so a run is bounded by ``duration_s + timeout_s``.

Reported: requests, throughput, latency p50/p95/p99 (all requests and successes), counts by
HTTP status and by client-side error (timeout, connection), degraded answers by reason, and a
same-run baseline (one shopper alone) so the p50 under load is read as a ratio.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ml.benchmarks.stats import percentile

CONVERSATIONS: tuple[tuple[str, ...], ...] = (
    ("waterproof hiking boots", "cheaper ones?", "in black?"),
    ("a phone case for iphone", "something more rugged", "the second one — is it slim?"),
    ("comfortable office chair", "under 200 dollars?"),
    ("running shoes for women", "in blue?", "cheaper ones?"),
    ("a lamp for my desk", "something modern"),
    ("a gift for a coffee lover",),
    ("kitchen knife set", "the first one — is it dishwasher safe?"),
    ("a sofa for a small apartment", "in grey?"),
)


@dataclass
class LoadConfig:
    url: str
    sessions: int = 50
    duration_s: float = 60.0
    timeout_s: float = 30.0
    think_time_s: float = 0.0
    k: int = 5
    api_key: str | None = None
    # one key per shopper (round-robin): each shopper is its own client for the rate limiter, as
    # real shoppers are; with a single api_key every shopper shares one bucket
    api_keys: Sequence[str] = ()
    conversations: Sequence[Sequence[str]] = CONVERSATIONS
    # set to end the run early (fault tests stop once the dependency has recovered)
    stop: threading.Event | None = None
    # shoppers in ``greedy`` (by index) share ``greedy_key`` and send turns back to back, ignoring
    # think time and 429s, to go over a rate limit on purpose; the others pace themselves
    greedy: frozenset[int] = frozenset()
    greedy_key: str | None = None


@dataclass
class Sample:
    latency_s: float
    status: int | None  # None: the request failed client-side
    error: str | None = None
    degraded: tuple[str, ...] = ()
    started_at: float = 0.0  # time.monotonic() when the request was sent
    session_id: str | None = None  # the session the gateway answered in
    message: str = ""
    shopper: int = -1
    handoff: str | None = None  # handoff status in the answer (offered, open, …)
    handoff_id: str | None = None
    answered_by: str | None = None  # llm | offline


@dataclass
class LoadResult:
    samples: list[Sample] = field(default_factory=list)
    wall_s: float = 0.0
    conversations: int = 0

    def summary(self, config: LoadConfig) -> dict[str, Any]:
        statuses = Counter(str(s.status) for s in self.samples if s.status is not None)
        errors = Counter(s.error for s in self.samples if s.error)
        degraded = Counter(r for s in self.samples for r in s.degraded)
        ok = [s.latency_s for s in self.samples if s.status is not None and 200 <= s.status < 300]
        every = [s.latency_s for s in self.samples]
        return {
            "url": config.url,
            "sessions": config.sessions,
            "duration_s": config.duration_s,
            "wall_s": round(self.wall_s, 3),
            "requests": len(self.samples),
            "conversations": self.conversations,
            "throughput_rps": round(len(self.samples) / self.wall_s, 3) if self.wall_s else 0.0,
            "ok": len(ok),
            "status_counts": dict(sorted(statuses.items())),
            "client_errors": dict(sorted(errors.items())),
            "server_errors_5xx": sum(n for code, n in statuses.items() if code.startswith("5")),
            "degraded": dict(sorted(degraded.items())),
            "latency_ms": percentiles(every),
            "ok_latency_ms": percentiles(ok),
            **({"by_group": self.by_group(config)} if config.greedy else {}),
        }

    def by_group(self, config: LoadConfig) -> dict[str, Any]:
        """Statuses of the shoppers over the limit on purpose vs the rest (rate-limit runs)."""
        groups: dict[str, Any] = {}
        for name, wanted in (("greedy", True), ("polite", False)):
            mine = [s for s in self.samples if (s.shopper in config.greedy) is wanted]
            shoppers = {s.shopper for s in mine}
            limited = {s.shopper for s in mine if s.status == 429}
            statuses = Counter(str(s.status) for s in mine if s.status is not None)
            groups[name] = {
                "shoppers": len(shoppers),
                "requests": len(mine),
                "status_counts": dict(sorted(statuses.items())),
                "shoppers_with_429": len(limited),
            }
        return groups


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    data = sorted(values)
    if not data:
        return {"p50": None, "p95": None, "p99": None, "max": None, "mean": None}
    ms: dict[str, float | None] = {f"p{q}": round(percentile(data, q) * 1000, 2) for q in (50, 95, 99)}
    ms["max"] = round(data[-1] * 1000, 2)
    ms["mean"] = round(sum(data) / len(data) * 1000, 2)
    return ms


async def _turn(
    client: httpx.AsyncClient,
    message: str,
    session_id: str | None,
    k: int,
    headers: dict[str, str] | None = None,
) -> tuple[Sample, Any]:
    payload: dict[str, Any] = {"message": message, "k": k}
    if session_id:
        payload["session_id"] = session_id
    sent_at = time.monotonic()
    start = time.perf_counter()
    try:
        response = await client.post("/v1/chat", json=payload, headers=headers)
    except httpx.TimeoutException:
        return Sample(time.perf_counter() - start, None, "timeout", started_at=sent_at, message=message), None
    except httpx.HTTPError as exc:
        error = type(exc).__name__
        return Sample(time.perf_counter() - start, None, error, started_at=sent_at, message=message), None
    elapsed = time.perf_counter() - start
    body: Any = None
    sample = Sample(elapsed, response.status_code, started_at=sent_at, message=message)
    if response.status_code == 200:
        with contextlib.suppress(ValueError, AttributeError):
            body = response.json()
            sample.degraded = tuple(r for r in (body.get("degraded") or "").split(",") if r)
            sample.session_id = body.get("session_id")
            sample.answered_by = body.get("answered_by")
            handoff = body.get("handoff") or {}
            sample.handoff, sample.handoff_id = handoff.get("status"), handoff.get("handoff_id")
    return sample, body


async def _shopper(
    index: int, client: httpx.AsyncClient, config: LoadConfig, deadline: float, result: LoadResult
) -> None:
    conversation_no = index  # shoppers start on different scripts
    greedy = index in config.greedy
    key = config.greedy_key if greedy and config.greedy_key else None
    if key is None and config.api_keys:
        key = config.api_keys[index % len(config.api_keys)]
    headers = {"x-api-key": key} if key else None

    def over() -> bool:
        return time.monotonic() >= deadline or (config.stop is not None and config.stop.is_set())

    while not over():
        script = config.conversations[conversation_no % len(config.conversations)]
        conversation_no += 1
        session_id: str | None = None
        for message in script:
            if over():
                return
            sample, body = await _turn(client, message, session_id, config.k, headers)
            sample.shopper = index
            result.samples.append(sample)
            if (sample.status == 429 or sample.status == 503) and not greedy:
                await asyncio.sleep(0.5)  # honour back-pressure a little, as a real client would
            if isinstance(body, dict):
                session_id = body.get("session_id") or session_id
            if config.think_time_s and not greedy:
                await asyncio.sleep(config.think_time_s)
        result.conversations += 1


async def run_load(config: LoadConfig, result: LoadResult | None = None) -> LoadResult:
    """Run ``config.sessions`` shoppers for ``config.duration_s`` seconds against ``config.url``
    (samples go into ``result`` as they arrive, for a caller watching from another thread)."""
    headers = {"x-api-key": config.api_key} if config.api_key else {}
    limits = httpx.Limits(max_connections=config.sessions, max_keepalive_connections=config.sessions)
    timeout = httpx.Timeout(config.timeout_s, connect=min(5.0, config.timeout_s))
    result = result if result is not None else LoadResult()
    async with httpx.AsyncClient(
        base_url=config.url, headers=headers, limits=limits, timeout=timeout
    ) as client:
        start = time.monotonic()
        deadline = start + config.duration_s
        await asyncio.gather(*(_shopper(i, client, config, deadline, result) for i in range(config.sessions)))
        result.wall_s = time.monotonic() - start
    return result


def run_load_sync(config: LoadConfig) -> dict[str, Any]:
    return asyncio.run(run_load(config)).summary(config)


def run_with_baseline(config: LoadConfig, baseline_s: float = 5.0) -> dict[str, Any]:
    """One shopper alone for ``baseline_s`` (the same-run baseline), then the full load."""
    report: dict[str, Any] = {}
    if baseline_s > 0:
        single = LoadConfig(**{**config.__dict__, "sessions": 1, "duration_s": baseline_s})
        report["baseline"] = run_load_sync(single)
    report["load"] = run_load_sync(config)
    base_p50 = (report.get("baseline") or {}).get("ok_latency_ms", {}).get("p50")
    load_p50 = report["load"]["ok_latency_ms"]["p50"]
    report["p50_ratio_vs_single_shopper"] = round(load_p50 / base_p50, 2) if base_p50 and load_p50 else None
    return report


# --- a local gateway to load (``shoptalk serve gateway`` in a subprocess) --------------------------
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalGateway:
    """``shoptalk serve gateway`` on a free loopback port, with the caller's environment.

    ``workers > 1``: uvicorn's own workers (``--factory services.gateway.app:create_app``) behind
    one port; the caller's ``env`` must then point them at shared state (a Milvus server, Redis).
    """

    def __init__(
        self, env: dict[str, str] | None = None, log_path: Path | None = None, workers: int = 1
    ) -> None:
        self.port = _free_port()
        self.env = {**os.environ, **(env or {})}
        self.log_path = log_path or Path(os.devnull)
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def command(self) -> list[str]:
        if self.workers > 1:
            return [
                sys.executable, "-m", "uvicorn", "--factory", "services.gateway.app:create_app",
                "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers),
                "--log-level", "warning", "--no-access-log",
            ]  # fmt: skip
        return [
            sys.executable, "-c", "from services.cli import main; main()",
            "serve", "gateway", "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
        ]  # fmt: skip

    def ready(self) -> bool:
        """Every worker has warmed up: ``/readyz`` answers 200 several times in a row."""
        try:
            checks = (httpx.get(f"{self.url}/readyz", timeout=10.0) for _ in range(2 * self.workers))
            return all(r.status_code == 200 for r in checks)
        except httpx.HTTPError:
            return False

    def start(self, timeout_s: float = 300.0) -> LocalGateway:
        command = self.command
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gateway exited with {self.process.returncode} (log: {self.log_path})")
            if self.ready():
                return self
            time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"gateway not up after {timeout_s:.0f}s (log: {self.log_path})")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
