"""``shoptalk bench load``: N concurrent multi-turn shoppers against a gateway for T seconds."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from services.cli.bench import bench_app
from services.cli.common import console, out, settings_for_cli, write_json


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
    max_5xx: Annotated[int, typer.Option(help="Exit 1 when the load run has more 5xx than this.")] = 0,
    json_out: Annotated[Path, typer.Option("--json")] = Path("bench-results/load.json"),
    gateway_log: Annotated[Path, typer.Option(help="Log of the gateway this command starts.")] = Path(
        "bench-results/load-gateway.log"
    ),
) -> None:
    """Throughput, p50/p95/p99 and error counts of /v1/chat under N concurrent multi-turn sessions."""
    from ml.benchmarks.load import LoadConfig, LocalGateway, run_with_baseline

    gateway = None
    if url is None:
        settings = settings_for_cli()
        gateway_log.parent.mkdir(parents=True, exist_ok=True)
        console.print(f"starting a gateway on {settings.data_dir.resolve()} (log: {gateway_log}) …")
        gateway = LocalGateway(log_path=gateway_log).start()
        url = gateway.url
    try:
        config = LoadConfig(
            url=url, sessions=sessions, duration_s=duration, timeout_s=timeout, think_time_s=think_time,
            api_key=api_key,
        )  # fmt: skip
        console.print(
            f"· baseline {baseline:.0f} s, then {sessions} shoppers × {duration:.0f} s against {url}"
        )
        report = run_with_baseline(config, baseline_s=baseline)
    finally:
        if gateway is not None:
            gateway.stop()
    report["machine"] = _machine()
    out.print(_table(report))
    if report.get("p50_ratio_vs_single_shopper"):
        out.print(f"p50 under load / p50 alone: {report['p50_ratio_vs_single_shopper']}×")
    write_json(json_out, report)
    if report["load"]["server_errors_5xx"] > max_5xx:
        console.print(f"[red]{report['load']['server_errors_5xx']} server errors (> {max_5xx})[/]")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """The command is attached to ``bench_app`` at import; nothing else to add."""
