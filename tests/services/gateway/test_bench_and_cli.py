"""The gateway benchmark runs end to end (tiny run), and the CLI exposes serve/bench gateway."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ml.config import Settings
from ml.understanding.types import Intent
from services.bench.gateway import SearchStringUnderstander, percentile, run
from tests.fakes.catalog import build_test_searcher

pytestmark = pytest.mark.integration


def test_percentile() -> None:
    values = list(range(1, 101))
    assert percentile(values, 50) in (50, 51) and percentile(values, 95) in (95, 96)
    assert percentile([7.0], 95) == 7.0


def test_bench_run_measures_overhead_and_streaming(tmp_path: Path) -> None:
    result = run(
        Settings(data_dir=tmp_path),
        build_test_searcher(),
        ["hiking boots", "phone case"],
        requests=4,
        warmup=1,
    )
    stats = result["stats"]
    for key in (
        "chat",
        "chat_search",
        "overhead",
        "search_direct",
        "stream_first_products",
        "stream_first_token",
    ):
        assert stats[key]["n"] == 4 and stats[key]["p50_ms"] > 0, key
    assert stats["stream_first_products"]["p50_ms"] <= stats["stream_first_token"]["p50_ms"]
    assert stats["stream_first_token"]["p50_ms"] <= stats["stream_done"]["p50_ms"]
    assert result["ratios"]["overhead_p50_vs_search_p50"] > 0
    ab = result["understanding_ab"]
    assert ab["stats"]["understanding"]["n"] == 4 and ab["stats"]["search_string"]["n"] == 4
    assert ab["understanding_added_p50_ms"] == pytest.approx(
        ab["stats"]["understanding"]["p50_ms"] - ab["stats"]["search_string"]["p50_ms"], abs=0.01
    )


def test_search_string_baseline_searches_every_message() -> None:
    """The A/B baseline is the pipeline before understanding: a greeting is a search for its words."""
    understood = SearchStringUnderstander(None).understand("  hello   there! ")
    assert understood.intent is Intent.search and understood.residual_terms == ["hello", "there!"]
    assert understood.slots.is_empty()


def test_cli_has_gateway_commands() -> None:
    from services.cli import app

    runner = CliRunner()
    serve = runner.invoke(app, ["serve", "gateway", "--help"])
    assert serve.exit_code == 0 and "--port" in serve.output and "--host" in serve.output
    bench = runner.invoke(app, ["bench", "gateway", "--help"])
    assert bench.exit_code == 0 and "--requests" in bench.output


def test_bench_cli_refuses_an_empty_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ml.config import get_settings
    from services.cli import app

    monkeypatch.setenv("SHOPTALK_DATA_DIR", str(tmp_path))
    # configure_logging would bind structlog to CliRunner's temporary stderr, which is closed afterwards
    monkeypatch.setattr("services.cli.common.configure_logging", lambda *a, **k: None)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            app, ["bench", "gateway", "--requests", "1", "--json", str(tmp_path / "o.json")]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code != 0 and "nothing indexed" in result.output
