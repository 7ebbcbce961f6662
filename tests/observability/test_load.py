"""The load driver: percentiles, and a short smoke run (the CI variant) against a real gateway."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ml.benchmarks.load import LoadConfig, percentile, percentiles, run_load_sync
from ml.config import Settings
from services.cli import app as cli
from services.common.launcher import app_in_thread
from services.gateway.app import create_app
from services.gateway.security import install_security
from tests.fakes.catalog import build_test_searcher

SMOKE_SESSIONS = 10
SMOKE_SECONDS = 10.0


def test_load_percentiles_are_the_one_percentile() -> None:
    from ml.benchmarks import stats

    values = [float(v) for v in range(1, 101)]
    assert percentile is stats.percentile  # no private copy in the load driver
    assert percentile(values, 100) == 100.0 and percentile([7.0], 99) == 7.0
    summary = percentiles([0.010, 0.020, 0.030])
    assert summary["p50"] == 20.0 and summary["max"] == 30.0 and summary["mean"] == 20.0
    assert percentiles([])["p95"] is None


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:

    settings = Settings(data_dir=tmp_path_factory.mktemp("load") / "data", max_inflight_requests=64)
    app = create_app(settings, searcher=build_test_searcher(), llm=False)
    install_security(app, settings)
    with app_in_thread(app, name="load-gateway", timeout_s=30) as url:
        yield url


@pytest.mark.integration
def test_smoke_load_has_no_errors_and_multi_turn_sessions(gateway_url: str) -> None:
    config = LoadConfig(url=gateway_url, sessions=SMOKE_SESSIONS, duration_s=SMOKE_SECONDS, timeout_s=20)
    start = time.monotonic()
    report = run_load_sync(config)
    assert time.monotonic() - start < SMOKE_SECONDS + config.timeout_s + 5  # bounded
    assert report["requests"] > SMOKE_SESSIONS
    assert report["server_errors_5xx"] == 0, report
    assert report["client_errors"] == {}, report
    assert report["status_counts"] == {"200": report["requests"]}
    assert report["conversations"] >= 1  # whole multi-turn scripts were completed
    # offline answerer, as configured: result lists are marked no-llm (questions, replies and
    # no-match turns are answered from data whatever the configuration, so they carry no mark)
    assert 0 < report["degraded"].get("no-llm", 0) <= report["requests"]
    assert not {r for r in report["degraded"] if r.startswith("llm-")}, report["degraded"]
    lat = report["latency_ms"]
    assert 0 < lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"]
    assert report["throughput_rps"] == pytest.approx(report["requests"] / report["wall_s"], rel=0.01)


@pytest.mark.integration
def test_cli_writes_table_and_json(gateway_url: str, tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    result = CliRunner().invoke(
        cli,
        ["bench", "load", "--url", gateway_url, "--sessions", "3", "--duration", "2", "--baseline", "1",
         "--json", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "shoppers" in result.output and "p99" in result.output
    report = json.loads(out.read_text())
    assert report["load"]["sessions"] == 3 and report["baseline"]["sessions"] == 1
    assert report["load"]["server_errors_5xx"] == 0
    assert report["p50_ratio_vs_single_shopper"] is not None
    assert report["machine"]["cpus"] >= 1
