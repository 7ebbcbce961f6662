"""Each dependency killed and restarted mid-load (issue 14): embedder (KServe), reranker (KServe,
quality profile), the Milvus standalone server, Redis (sessions) and the LLM (OpenAI wire).

One stack of real processes on loopback ports serves every test: ``redis-server`` (AOF on), the
Milvus server, the embedder and reranker model servers, an OpenAI-compatible stub LLM, and the
gateway under uvicorn configured to use all of them. Each test runs a small concurrent load of
multi-turn chat turns (``ml.benchmarks.load``, 4 shoppers, a handoff in every fifth conversation),
kills one dependency, brings it back on the same port and checks:

- no 5xx and no client-side error, at any point;
- while it is down, answers are marked ``degraded`` with that dependency's reason;
- no lost sessions: every turn answered (before, during and after the outage) is in the session
  Redis holds afterwards; no lost handoffs: every handoff opened exists with the shopper's messages;
- recovery: a clean answer (without the reason) within 10 s of the dependency's return (measured).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from ml.benchmarks.load import LoadConfig, LoadResult, Sample, run_load
from services.common.launcher import ModelServerProcess
from tests.faults.stack import RedisProcess, StubLLMProcess
from tests.observability.stack import REPO, GatewayProcess, base_env, indexed_data_dir
from tests.servers.milvus import MilvusTestServer, unique_collection

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

RECOVERY_BOUND_S = 10.0
HEALTHY_S = 1.5  # load before the kill
DOWN_S = 3.0  # load while the dependency is gone
SHOPPERS = 4
START_TIMEOUT_S = 600  # model loads on a 2-core machine shared with other jobs

ADJECTIVES = ("waterproof", "black", "red", "leather", "rugged", "modern", "small", "blue", "wooden", "soft")
NOUNS = ("hiking boots", "phone case", "office chair", "desk lamp", "sofa", "knife set", "backpack", "mug")


def conversations() -> list[tuple[str, ...]]:
    """Distinct first turns (a cached query embedding must not hide an embedder outage); every
    fifth conversation asks for a person and keeps talking to them."""
    scripts: list[tuple[str, ...]] = []
    for n, (adjective, noun) in enumerate(itertools.product(ADJECTIVES, NOUNS)):
        first = f"{adjective} {noun}"
        if n % 5 == 4:
            scripts.append((first, "talk to a human", "are you still there?"))
        else:
            scripts.append((first, "cheaper ones?", f"{noun} in grey?"))
    return scripts


@dataclass
class Stack:
    gateway: GatewayProcess
    redis: RedisProcess
    milvus: MilvusTestServer
    embedder: ModelServerProcess
    reranker: ModelServerProcess
    llm: StubLLMProcess
    collection: str


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
    milvus_server: MilvusTestServer,
) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("kill-restart")
    redis = RedisProcess().start()
    models_env = base_env(SHOPTALK_DATA_DIR=str(root / "models"))
    embedder = ModelServerProcess("embedder", env=models_env)
    reranker = ModelServerProcess("reranker", env=models_env)
    llm = StubLLMProcess(cwd=REPO)
    llm.env = base_env()
    started: list[Any] = []
    try:
        for server in (embedder, reranker, llm):
            server.start(timeout_s=START_TIMEOUT_S)
            started.append(server)
        env = {
            "SHOPTALK_MILVUS_URI": milvus_server.uri,
            "SHOPTALK_MILVUS_COLLECTION": unique_collection("faults"),
            "SHOPTALK_EMBEDDER_URL": embedder.url,
        }
        data = indexed_data_dir(root, limit=40, env=env)
        env |= {
            "SHOPTALK_RERANKER_URL": reranker.url,
            "SHOPTALK_SEARCH_PROFILE": "quality",
            "SHOPTALK_REDIS_URL": redis.url,
            "SHOPTALK_OPENAI_API_KEY": "sk-fault-test",
            "SHOPTALK_OPENAI_BASE_URL": llm.base_url,
            "SHOPTALK_LLM_MODEL": "stub-model",
            "SHOPTALK_LLM_TIMEOUT_S": "5",
            "SHOPTALK_LLM_MAX_RETRIES": "0",
            "SHOPTALK_SERVICE_TIMEOUT_S": "5",
            "SHOPTALK_SERVICE_RETRIES": "1",
            "SHOPTALK_SESSION_MAX_TURNS": "50",
        }
        gateway = GatewayProcess(data, env, log_path=root / "gateway.log")
        gateway.start(timeout_s=START_TIMEOUT_S)
        started.append(gateway)
        yield Stack(gateway, redis, milvus_server, embedder, reranker, llm, env["SHOPTALK_MILVUS_COLLECTION"])
    finally:
        for server in reversed(started):
            server.stop()
        redis.destroy()
        if not milvus_server.running:
            milvus_server.start()  # the session fixture is shared with other tests


@dataclass
class Outage:
    samples: list[Sample]
    killed_at: float
    restart_at: float  # the restart began (it may serve before ``restart()`` returns)
    back_at: float
    recovery_s: float | None


def run_outage(stack: Stack, kill: Callable[[], None], restart: Callable[[], None], reason: str) -> Outage:
    """Load → kill → load while down → restart (blocks until it is ready) → load until a clean answer."""
    stop = threading.Event()
    config = LoadConfig(
        url=stack.gateway.url, sessions=SHOPPERS, duration_s=120, timeout_s=30, k=4,
        conversations=conversations(), stop=stop,
    )  # fmt: skip
    result = LoadResult()
    thread = threading.Thread(target=lambda: asyncio.run(run_load(config, result)), name="fault-load")
    thread.start()
    try:
        time.sleep(HEALTHY_S)
        healthy_until = time.monotonic() + 60  # a loaded machine: wait for a few answers first
        # healthy first: a few clean answers (an earlier test's outage may still be healing)
        while (
            sum(1 for s in list(result.samples) if s.status == 200 and not s.degraded) < SHOPPERS
            and time.monotonic() < healthy_until
        ):
            time.sleep(0.1)
        killed_at = time.monotonic()
        kill()
        time.sleep(DOWN_S)
        # a busy machine: stay down until some turn started after the kill has been answered
        # (bounded), so the outage is observed by a shopper, whatever the machine's speed
        down_until = time.monotonic() + 45
        while time.monotonic() < down_until and not any(
            killed_at + 0.3 <= s.started_at for s in list(result.samples)
        ):
            time.sleep(0.1)
        restart_at = time.monotonic()
        restart()
        back_at = time.monotonic()
        deadline = back_at + RECOVERY_BOUND_S + 10
        while time.monotonic() < deadline and _recovered_after(list(result.samples), back_at, reason) is None:
            time.sleep(0.1)
        time.sleep(1.0)  # a little more load after recovery
    finally:
        stop.set()
        thread.join(timeout=60)
    samples = list(result.samples)
    return Outage(samples, killed_at, restart_at, back_at, _recovered_after(samples, back_at, reason))


def _recovered_after(samples: list[Sample], back_at: float, reason: str) -> float | None:
    """Seconds from the dependency's return to the end of the first clean answer sent after it."""
    clean = [
        s.started_at + s.latency_s - back_at
        for s in samples
        if s.started_at >= back_at and s.status == 200 and reason not in s.degraded
    ]
    return min(clean) if clean else None


def check_outage(stack: Stack, outage: Outage, reason: str) -> list[Sample]:
    samples = outage.samples
    statuses = defaultdict(int)
    for s in samples:
        statuses[str(s.status)] += 1
    assert all(s.status == 200 for s in samples), dict(statuses)  # no 5xx, no client error
    down = [
        s
        for s in samples
        if outage.killed_at + 0.3 <= s.started_at and s.started_at + s.latency_s <= outage.restart_at
    ]
    assert down, "no turn answered while the dependency was down"
    marked = [s for s in down if reason in s.degraded]
    assert marked, f"no answer marked {reason!r} while down: {[s.degraded for s in down]}"
    before = [s for s in samples if s.started_at + s.latency_s < outage.killed_at]
    assert before and any(reason not in s.degraded for s in before), "the stack was not healthy first"
    assert outage.recovery_s is not None, f"no clean answer after the return ({reason})"
    assert outage.recovery_s <= RECOVERY_BOUND_S, outage.recovery_s
    check_sessions_kept(stack, samples)
    check_handoffs_kept(stack, samples)
    print(
        f"{reason}: {len(samples)} turns, {len(down)} while down ({len(marked)} marked), "
        f"recovery {outage.recovery_s:.2f} s after the return"
    )
    return down


def check_sessions_kept(stack: Stack, samples: list[Sample], wait_s: float = 10.0) -> None:
    """Every answered turn is in its session in Redis (buffered turns are written back)."""
    import redis

    expected: dict[str, list[str]] = defaultdict(list)
    for s in sorted(samples, key=lambda s: s.started_at):
        if s.session_id:
            expected[s.session_id].append(s.message)
    client = redis.Redis.from_url(stack.redis.url)
    deadline = time.monotonic() + wait_s
    missing: dict[str, Any] = {}
    while True:
        missing = {}
        for session_id, messages in expected.items():
            raw = client.get(f"shoptalk:session:{session_id}")
            stored = [t["message"] for t in json.loads(raw)["turns"]] if raw else []
            if stored != messages:
                missing[session_id[:8]] = (messages, stored)
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    client.close()
    assert not missing, f"{len(missing)}/{len(expected)} sessions lost turns: {list(missing.items())[:3]}"


def check_handoffs_kept(stack: Stack, samples: list[Sample]) -> None:
    """Every handoff an answer opened is in the queue, with the shopper's later messages."""
    opened = {s.handoff_id: s for s in samples if s.handoff_id and s.handoff in ("open", "assigned")}
    assert opened, "no handoff was opened during the load"
    for handoff_id, first in opened.items():
        response = httpx.get(f"{stack.gateway.url}/v1/agent/handoffs/{handoff_id}", timeout=10)
        assert response.status_code == 200, response.text
        handoff = response.json()
        assert handoff["session_id"] == first.session_id
        said = " ".join(m.get("text", "") for m in handoff["transcript"])
        later = [
            s.message for s in samples if s.session_id == first.session_id and s.started_at > first.started_at
        ]
        for message in later:
            assert message in said, (message, handoff["transcript"][-4:])


# ----------------------------------------------------------------------------------------- tests
def test_embedder_killed_and_restarted(stack: Stack) -> None:
    outage = run_outage(
        stack,
        stack.embedder.kill,
        lambda: stack.embedder.start(timeout_s=START_TIMEOUT_S),
        "embedder-unavailable",
    )
    check_outage(stack, outage, "embedder-unavailable")


def test_reranker_killed_and_restarted(stack: Stack) -> None:
    outage = run_outage(
        stack,
        stack.reranker.kill,
        lambda: stack.reranker.start(timeout_s=START_TIMEOUT_S),
        "reranker-unavailable",
    )
    check_outage(stack, outage, "reranker-unavailable")


def test_llm_killed_and_restarted(stack: Stack) -> None:
    outage = run_outage(stack, stack.llm.kill, lambda: stack.llm.start(), "llm-error")
    down = check_outage(stack, outage, "llm-error")
    assert all(s.answered_by == "offline" for s in down), [s.answered_by for s in down]
    after = [s for s in outage.samples if s.started_at > outage.back_at + (outage.recovery_s or 0)]
    assert any(s.answered_by == "llm" for s in after)


def test_redis_killed_and_restarted(stack: Stack) -> None:
    outage = run_outage(stack, stack.redis.kill, lambda: stack.redis.start(), "session-store-unavailable")
    check_outage(stack, outage, "session-store-unavailable")


def test_milvus_server_killed_and_restarted(stack: Stack) -> None:
    timings: dict[str, float] = {}

    def restart() -> None:
        """Back = the server answers *and* has loaded the collection again (a restarted Milvus
        lists collections seconds before it can search them); both times are printed."""
        from pymilvus import MilvusClient

        started = time.monotonic()
        stack.milvus.start()
        timings["process_ready_s"] = time.monotonic() - started
        client = MilvusClient(uri=stack.milvus.uri, timeout=60)
        client.load_collection(stack.collection, timeout=120)
        client.search(stack.collection, data=[[0.1] * 384], limit=1, timeout=60)
        client.close()
        timings["searchable_s"] = time.monotonic() - started

    outage = run_outage(stack, stack.milvus.stop, restart, "vector-index-unavailable")
    print(f"milvus restart: {timings}")
    check_outage(stack, outage, "vector-index-unavailable")
