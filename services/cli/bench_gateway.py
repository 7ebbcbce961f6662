"""``shoptalk bench gateway``: gateway overhead over search, and streaming first-product/first-token."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ml.benchmarks.stats import cpu_model, load_average
from ml.paths import GOLDEN_QUERIES
from services.cli.bench import bench_app
from services.cli.common import console, out, settings_for_cli, write_json

ROWS = [
    ("healthz", "GET /healthz (HTTP floor)"),
    ("search_direct", "search in-process (baseline)"),
    ("chat", "POST /v1/chat (instant LLM)"),
    ("chat_search", "  of which search"),
    ("overhead", "gateway overhead (chat − search)"),
    ("stream_first_products", "stream: first products event"),
    ("stream_first_token", "stream: first token event"),
    ("stream_done", "stream: done event"),
]


@bench_app.command("gateway")
def bench_gateway(
    requests: Annotated[int, typer.Option(min=1, max=10_000, help="Measured requests of each kind.")] = 60,
    warmup: Annotated[int, typer.Option(min=0, max=100)] = 5,
    k: Annotated[int, typer.Option(min=1, max=20)] = 5,
    queries: Annotated[Path, typer.Option(exists=True, dir_okay=False)] = GOLDEN_QUERIES,
    json_out: Annotated[Path, typer.Option("--json")] = Path("bench-results/gateway.json"),
) -> None:
    """p50/p95 of /v1/chat with an instant local LLM, minus search time; time to first product/token."""
    from ml.evaluation.golden import load_queries
    from ml.retrieval.factory import build_keyword_index, build_searcher
    from services.bench.gateway import run

    settings = settings_for_cli()
    indexed = build_keyword_index(settings).count()  # cheap check before loading the embedding model
    if indexed == 0:
        raise typer.BadParameter(
            f"nothing indexed under {settings.data_dir}: run `shoptalk ingest` first",
            param_hint="SHOPTALK_DATA_DIR",
        )
    searcher = build_searcher(settings)
    texts = list(load_queries(queries).values())
    load_before = load_average()
    result = run(
        settings,
        searcher,
        texts,
        requests=requests,
        warmup=warmup,
        k=k,
        progress=lambda m: console.print(f"· {m}"),
    )
    result["indexed_products"] = indexed
    result["machine"] = {
        "cpu_model": cpu_model(),
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }
    table = Table(title=f"gateway latency (ms), {requests} requests, {indexed} products, k={k}")
    for column in ("what", "p50", "p95", "mean"):
        table.add_column(column, justify="right" if column != "what" else "left")
    for key, label in ROWS:
        row = result["stats"][key]
        table.add_row(label, f"{row['p50_ms']:.1f}", f"{row['p95_ms']:.1f}", f"{row['mean_ms']:.1f}")
    out.print(table)
    ratios = result["ratios"]
    out.print(
        f"chat p50 / search p50 = {ratios['chat_p50_vs_search_p50']:.2f}; "
        f"overhead p50 / search p50 = {ratios['overhead_p50_vs_search_p50']:.2f}; "
        f"overhead p50 / healthz p50 = {ratios['overhead_p50_vs_healthz_p50']:.2f}"
    )
    ab = result["understanding_ab"]
    table = Table(title="turn understanding, paired A/B in this process (ms)")
    for column in ("arm", "p50", "p95", "mean"):
        table.add_column(column, justify="right" if column != "arm" else "left")
    for arm, label in (
        ("understanding", "understanding on"),
        ("search_string", "every message a search string"),
    ):
        row = ab["stats"][arm]
        table.add_row(label, f"{row['p50_ms']:.1f}", f"{row['p95_ms']:.1f}", f"{row['mean_ms']:.1f}")
    out.print(table)
    out.print(
        f"understanding adds {ab['understanding_added_p50_ms']:+.1f} ms at p50 "
        f"(median paired difference {ab['paired_difference_median_ms']:+.1f} ms; "
        f"ratio {ab['ratio_p50_understanding_vs_search_string']:.2f})"
    )
    write_json(json_out, result)


def register(app: typer.Typer) -> None:
    """The command is attached to ``bench_app`` at import; nothing else to add."""
