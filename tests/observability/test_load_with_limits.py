"""The load measure with keys and a rate limit on (issue 14): production settings, several shoppers
each with their own key, zero 5xx, and 429s only for the client over the limit (small version:
5 polite shoppers + 1 greedy one for 5 s; `shoptalk bench load` runs the full 50 × 60 s)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from ml.benchmarks.load import LoadConfig, run_load
from ml.config import Settings
from services.common.launcher import free_port
from services.gateway.app import create_app
from tests.fakes.catalog import build_test_searcher

POLITE = [f"sk-shopper-{i}-0123456789abcdef" for i in range(5)]
GREEDY = "sk-greedy-0123456789abcdef"


@pytest.fixture(scope="module")
def limited_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    settings = Settings(
        env="production",
        data_dir=tmp_path_factory.mktemp("limited") / "data",
        api_keys=",".join([*POLITE, GREEDY]),
        rate_limit_rps=2.0,
        rate_limit_burst=3,
        session_secret="s" * 32,
        max_inflight_requests=64,
    )
    patch = pytest.MonkeyPatch()  # the policy's rules suffice: no intent-model bootstrap mid-load
    patch.setattr("services.gateway.understanding.load_intent_model", lambda *_a, **_k: None, raising=False)
    app = create_app(settings, searcher=build_test_searcher(), llm=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "gateway did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    patch.undo()


@pytest.mark.integration
def test_keys_and_rate_limit_under_load(limited_gateway: str) -> None:
    polite = LoadConfig(
        url=limited_gateway, sessions=5, duration_s=5, timeout_s=20, think_time_s=1.0, api_keys=POLITE
    )
    greedy = LoadConfig(url=limited_gateway, sessions=1, duration_s=5, timeout_s=20, api_keys=[GREEDY])

    async def both():  # type: ignore[no-untyped-def]
        return await asyncio.gather(run_load(polite), run_load(greedy))

    polite_result, greedy_result = asyncio.run(both())
    p, g = polite_result.summary(polite), greedy_result.summary(greedy)
    print("polite", p["status_counts"], "greedy", g["status_counts"])
    assert p["server_errors_5xx"] == 0 and g["server_errors_5xx"] == 0, (p, g)
    assert p["status_counts"].get("429", 0) == 0, p  # under the limit: never refused
    assert p["status_counts"].get("200", 0) >= 10 and p["conversations"] >= 1, (p, g)
    assert g["status_counts"].get("429", 0) > 0, g  # over the limit: refused, not failed
    assert g["status_counts"].get("200", 0) > 0, g


@pytest.mark.integration
def test_one_run_with_greedy_shoppers_reports_429s_only_for_them(limited_gateway: str) -> None:
    """The shape `shoptalk bench load --rate-limited` uses: one run, polite shoppers with their own
    keys and pacing, greedy ones sharing a key unpaced; ``by_group`` says who was refused."""
    config = LoadConfig(
        url=limited_gateway, sessions=6, duration_s=5, timeout_s=20, think_time_s=1.0,
        api_keys=POLITE, greedy=frozenset({4, 5}), greedy_key=GREEDY,
    )  # fmt: skip
    report = asyncio.run(run_load(config)).summary(config)
    groups = report["by_group"]
    assert report["server_errors_5xx"] == 0, report
    assert groups["polite"]["shoppers"] == 4 and groups["greedy"]["shoppers"] == 2, groups
    assert groups["polite"]["shoppers_with_429"] == 0, groups
    assert groups["greedy"]["shoppers_with_429"] == 2, groups
    assert groups["polite"]["status_counts"].get("200", 0) >= 8, groups
