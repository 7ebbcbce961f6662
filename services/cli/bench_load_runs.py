"""The gateways ``shoptalk bench load`` starts and the runs it makes against them.

- one worker on the embedded defaults (tantivy + Milvus Lite file + in-memory sessions), or
- several uvicorn workers sharing what a cluster shares: a Milvus standalone server (PyPI
  ``milvus``) for vectors and ``redis-server`` for sessions and turn locks; the tantivy directory
  is read-only at serve time, so every worker opens it (the signed-session secret and the
  handoff SQLite file sit in the shared data dir too).

A *rate-limited* run starts the gateway in production mode (one API key per shopper, a per-key
rate limit) with a few shoppers deliberately over the limit (they share one key and never pause);
it records which shoppers got 429s.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ml.benchmarks.load import LoadConfig, LocalGateway, run_load_sync, run_with_baseline
from ml.benchmarks.stats import load_average
from ml.logging import get_logger

log = get_logger(__name__)

SHARING = (
    "workers > 1: uvicorn workers on one port; vectors in a Milvus standalone server (PyPI milvus, "
    "one collection every worker queries), sessions and turn locks in redis-server, the tantivy "
    "directory opened read-only by each worker; the embedded Milvus Lite file is single-process, "
    "so it serves only the 1-worker run"
)
START_TIMEOUT_S = 900.0  # model loads on a busy 2-core machine
POLITE_RPS = 2.0  # per-key limit of the rate-limited run; a polite shopper (turn + 1 s pause) stays below
POLITE_THINK_S = 1.0


def ingest(data_dir: Path, env: dict[str, str], log_path: Path, limit: int | None = None) -> None:
    """``shoptalk ingest`` of the committed sample into ``data_dir`` (skipped when already indexed
    the same way: the Milvus server keeps its data under ``data_dir`` between runs)."""
    from ml.paths import SAMPLE_CATALOG

    marker = data_dir / ".bench-ingested"
    label = f"{'server' if 'SHOPTALK_MILVUS_URI' in env else 'lite'} limit={limit}"
    if marker.exists() and marker.read_text() == label:
        return
    command = [
        sys.executable, "-c", "from services.cli import main; main()",
        "ingest", "--catalog", str(SAMPLE_CATALOG), *(["--limit", str(limit)] if limit else []),
    ]  # fmt: skip
    with log_path.open("ab") as out:
        done = subprocess.run(
            command, env={**os.environ, **env, "SHOPTALK_DATA_DIR": str(data_dir)}, stdout=out,
            stderr=subprocess.STDOUT, timeout=1800, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"ingest into {data_dir} failed ({done.returncode}); see {log_path}")
    marker.write_text(label)


def prepare_intents(data_dir: Path) -> None:
    """Train (or find) the bootstrap intent model once, so no worker trains its own at start-up."""
    from ml.config import Settings
    from services.gateway.understanding import bootstrap_intent_model

    bootstrap_intent_model(Settings(data_dir=data_dir))


@contextlib.contextmanager
def shared_servers(enabled: bool, milvus_dir: Path) -> Iterator[dict[str, str]]:
    """A Milvus server (data kept in ``milvus_dir``) and Redis for multi-worker runs (``{}`` when
    not needed)."""
    if not enabled:
        yield {}
        return
    from services.bench.servers import MilvusStandalone, RedisServer

    redis = RedisServer().start()
    milvus = MilvusStandalone(milvus_dir)
    try:
        milvus.start()
        yield {"SHOPTALK_MILVUS_URI": milvus.uri, "SHOPTALK_REDIS_URL": redis.url}
    finally:
        milvus.destroy()
        redis.destroy()


@contextlib.contextmanager
def gateway(
    env: dict[str, str], workers: int, log_path: Path, warm_key: str | None = None
) -> Iterator[LocalGateway]:
    server = LocalGateway(env=env, log_path=log_path, workers=workers).start(timeout_s=START_TIMEOUT_S)
    try:
        warm = LoadConfig(
            url=server.url, sessions=min(10, 4 * workers), duration_s=3.0, timeout_s=60.0, api_key=warm_key
        )
        run_load_sync(warm)  # every worker has loaded its models before anything is measured
        yield server
    finally:
        server.stop()


def measured(config: LoadConfig, baseline_s: float) -> dict[str, Any]:
    before = load_average()
    report = run_with_baseline(config, baseline_s=baseline_s)
    report["load_average"] = {"before": before, "after": load_average()}
    return report


def rate_limited_run(
    env: dict[str, str], workers: int, log_path: Path, sessions: int, duration_s: float, greedy: int
) -> dict[str, Any]:
    """Production mode, one key per polite shopper, ``greedy`` shoppers sharing one key unpaced."""
    keys = [f"sk-bench-shopper-{i:03d}-{os.urandom(6).hex()}" for i in range(sessions)]
    greedy_key = f"sk-bench-greedy-{os.urandom(8).hex()}"
    warm_key = f"sk-bench-warm-up-{os.urandom(8).hex()}"  # its own bucket: the shoppers start full
    limited_env = {
        **env,
        "SHOPTALK_ENV": "production",
        "SHOPTALK_API_KEYS": ",".join([*keys, greedy_key, warm_key]),
        "SHOPTALK_RATE_LIMIT_RPS": str(POLITE_RPS),
        "SHOPTALK_RATE_LIMIT_BURST": str(int(2 * POLITE_RPS)),
        "SHOPTALK_SESSION_SECRET": os.urandom(24).hex(),
        "SHOPTALK_MAX_INFLIGHT_REQUESTS": str(max(256, 4 * sessions)),
    }
    greedy_ids = frozenset(range(sessions - greedy, sessions))
    with gateway(limited_env, workers, log_path, warm_key=warm_key) as server:
        config = LoadConfig(
            url=server.url, sessions=sessions, duration_s=duration_s, think_time_s=POLITE_THINK_S,
            api_keys=keys, greedy=greedy_ids, greedy_key=greedy_key,
        )  # fmt: skip
        before = load_average()
        report = run_load_sync(config)
    report["load_average"] = {"before": before, "after": load_average()}
    report["rate_limit"] = {
        "rps_per_key": POLITE_RPS,
        "burst": int(2 * POLITE_RPS),
        "polite_think_s": POLITE_THINK_S,
        "greedy_shoppers": greedy,
        "greedy_share_one_key": True,
    }
    groups = report["by_group"]
    report["only_greedy_got_429"] = (
        groups["polite"]["shoppers_with_429"] == 0 and groups["greedy"]["shoppers_with_429"] == greedy
    )
    return report
