"""``shoptalk bench load``: N concurrent multi-turn shoppers against a gateway for T seconds."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from services.cli.bench import bench_app
from services.cli.common import console, out, write_json


def _machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}


def _table(report: dict[str, Any]) -> Table:
    load = report["load"]
    table = Table(
        title=f"load: {load['sessions']} shoppers × {load['duration_s']:.0f} s → "
        f"{load['requests']} requests, {load['throughput_rps']} req/s"
    )
    for column in (
        "run",
        "requests",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "5xx",
        "statuses",
        "errors",
    ):
        table.add_column(column, justify="left" if column in ("run", "statuses", "errors") else "right")
    for name in ("baseline", "load"):
        row = report.get(name)
        if not row:
            continue
        lat = row["latency_ms"]
        label = "1 (base)" if name == "baseline" else str(row["sessions"])
        table.add_row(
            label,
            str(row["requests"]),
            f"{row['throughput_rps']:.1f}",
            *(f"{lat[q]:.0f}" if lat[q] is not None else "-" for q in ("p50", "p95", "p99", "max")),
            str(row["server_errors_5xx"]),
            " ".join(f"{k}:{v}" for k, v in row["status_counts"].items()) or "-",
            " ".join(f"{k}:{v}" for k, v in row["client_errors"].items()) or "-",
        )
    return table


@bench_app.command("load")
def bench_load(
    url: Annotated[
        str | None, typer.Option(help="Gateway to load; unset: start `shoptalk serve gateway` on loopback.")
    ] = None,
    sessions: Annotated[int, typer.Option(min=1, max=1000, help="Concurrent shoppers.")] = 50,
    duration: Annotated[float, typer.Option(min=1, max=3600, help="Seconds of load.")] = 60.0,
    baseline: Annotated[
        float, typer.Option(min=0, max=600, help="Seconds of 1-shopper baseline first.")
    ] = 5.0,
    timeout: Annotated[float, typer.Option(min=1, max=300, help="Per-request client timeout (s).")] = 30.0,
    think_time: Annotated[
        float, typer.Option(min=0, max=60, help="Pause between a shopper's turns (s).")
    ] = 0.0,
    api_key: Annotated[
        str | None, typer.Option(envvar="SHOPTALK_LOAD_API_KEY", help="Sent as X-API-Key.")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=32,
            help="uvicorn workers of the gateway this command starts; >1 shares a Milvus server + Redis.",
        ),
    ] = 1,
    compare_workers: Annotated[
        int | None,
        typer.Option(help="Also load a gateway with this many workers (same servers) first: the ratio."),
    ] = None,
    rate_limited: Annotated[
        bool, typer.Option(help="Also a run with API keys + a per-key rate limit (production mode).")
    ] = False,
    greedy: Annotated[
        int, typer.Option(min=1, help="Shoppers of the rate-limited run that go over the limit.")
    ] = 5,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Index dir of the gateways started here (default: bench-results/load-data)."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Index only this many sample products (a quick smoke run).")
    ] = None,
    max_5xx: Annotated[int, typer.Option(help="Exit 1 when the load run has more 5xx than this.")] = 0,
    json_out: Annotated[Path, typer.Option("--json")] = Path("bench-results/load.json"),
    gateway_log: Annotated[Path, typer.Option(help="Log of the gateway this command starts.")] = Path(
        "bench-results/load-gateway.log"
    ),
) -> None:
    """Throughput, p50/p95/p99 and error counts of /v1/chat under N concurrent multi-turn sessions."""
    from ml.benchmarks.load import LoadConfig

    config = LoadConfig(
        url=url or "", sessions=sessions, duration_s=duration, timeout_s=timeout, think_time_s=think_time,
        api_key=api_key,
    )  # fmt: skip
    if url is not None:
        from services.cli.bench_load_runs import measured

        console.print(
            f"· baseline {baseline:.0f} s, then {sessions} shoppers × {duration:.0f} s against {url}"
        )
        report = measured(config, baseline)
    else:
        report = _local_runs(
            config, baseline, workers, compare_workers, rate_limited, greedy,
            data_dir or Path("bench-results/load-data"), gateway_log, limit,
        )  # fmt: skip
    report["machine"] = _machine()
    out.print(_table(report))
    if report.get("p50_ratio_vs_single_shopper"):
        out.print(f"p50 under load / p50 alone: {report['p50_ratio_vs_single_shopper']}×")
    for key, label in (("throughput_ratio_vs_reference", "req/s"), ("p95_ratio_vs_reference", "p95")):
        if report.get(key):
            out.print(f"{label} with {workers} workers / with {compare_workers}: {report[key]}×")
    if "rate_limited" in report:
        limited = report["rate_limited"]
        out.print(
            f"rate-limited run: 5xx {limited['server_errors_5xx']}, polite {limited['by_group']['polite']}, "
            f"greedy {limited['by_group']['greedy']}, only greedy got 429: {limited['only_greedy_got_429']}"
        )
    write_json(json_out, report)
    failures = report["load"]["server_errors_5xx"] + report.get("rate_limited", {}).get(
        "server_errors_5xx", 0
    )
    if failures > max_5xx:
        console.print(f"[red]{failures} server errors (> {max_5xx})[/]")
        raise typer.Exit(1)
    if "rate_limited" in report and not report["rate_limited"]["only_greedy_got_429"]:
        console.print("[red]429s did not fall only on the shoppers over the limit[/]")
        raise typer.Exit(1)


def _local_runs(
    config: Any, baseline: float, workers: int, compare_workers: int | None, rate_limited: bool,
    greedy: int, data_dir: Path, gateway_log: Path, limit: int | None,
) -> dict[str, Any]:  # fmt: skip
    """Start the gateways (and, for several workers, a Milvus server + Redis) and load each."""
    from dataclasses import replace

    from services.cli.bench_load_runs import (
        SHARING,
        gateway,
        ingest,
        measured,
        prepare_intents,
        rate_limited_run,
        shared_servers,
    )

    gateway_log.parent.mkdir(parents=True, exist_ok=True)
    shared = workers > 1 or (compare_workers or 1) > 1
    target = (data_dir / ("shared" if shared else "lite")).resolve()
    target.mkdir(parents=True, exist_ok=True)
    with shared_servers(shared, target / "milvus-server") as env:
        console.print(f"indexing the sample into {target} (once) …")
        ingest(target, env, gateway_log, limit)
        prepare_intents(target)
        env = {**env, "SHOPTALK_DATA_DIR": str(target)}
        report: dict[str, Any] = {}
        if compare_workers:
            console.print(f"· reference: {compare_workers} worker(s), {config.sessions} shoppers")
            with gateway(env, compare_workers, gateway_log) as server:
                report["reference"] = {
                    "workers": compare_workers,
                    **measured(replace(config, url=server.url), baseline),
                }
        console.print(
            f"· {workers} worker(s): baseline {baseline:.0f} s, "
            f"then {config.sessions} × {config.duration_s:.0f} s"
        )
        with gateway(env, workers, gateway_log) as server:
            report |= measured(replace(config, url=server.url), baseline)
        report["workers"] = workers
        report["catalog_limit"] = limit  # None: the whole committed sample
        report["sharing"] = SHARING if shared else "1 worker: embedded Milvus Lite file, in-memory sessions"
        if rate_limited:
            console.print(f"· rate-limited: {config.sessions} shoppers with keys, {greedy} over the limit")
            report["rate_limited"] = rate_limited_run(
                env, workers, gateway_log, config.sessions, config.duration_s, greedy
            )
    reference = report.get("reference")
    if reference:
        ref, new = reference["load"], report["load"]
        report["throughput_ratio_vs_reference"] = round(new["throughput_rps"] / ref["throughput_rps"], 2)
        ref_p95, new_p95 = ref["ok_latency_ms"]["p95"], new["ok_latency_ms"]["p95"]
        report["p95_ratio_vs_reference"] = round(new_p95 / ref_p95, 2) if ref_p95 and new_p95 else None
    return report


def register(app: typer.Typer) -> None:
    """The command is attached to ``bench_app`` at import; nothing else to add."""
