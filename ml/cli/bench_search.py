"""``shoptalk bench search``: ingest throughput and search latency at 10k / 100k products."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ml.cli.bench import bench_app
from ml.cli.common import console, out, settings_for_cli, write_json
from ml.paths import GOLDEN_QUERIES, SAMPLE_CATALOG


@bench_app.command("search")
def bench_search(
    catalog: Annotated[str, typer.Option()] = str(SAMPLE_CATALOG),
    queries: Annotated[Path, typer.Option(exists=True, dir_okay=False)] = GOLDEN_QUERIES,
    sizes: Annotated[list[int] | None, typer.Option("--size", help="Catalog sizes (repeatable).")] = None,
    json_out: Annotated[Path, typer.Option("--json")] = Path("bench-results/search.json"),
) -> None:
    """Ingest products/s vs bare embedding; search p50/p95/p99 per mode by catalog size."""
    from ml.benchmarks.search_bench import run
    from ml.evaluation.golden import load_queries

    settings = settings_for_cli()
    query_texts = list(load_queries(queries).values())
    result = run(
        catalog,
        query_texts,
        sizes or [10_000, 100_000],
        settings,
        lambda m: console.print(f"· {m}"),
        checkpoint=lambda partial: write_json(json_out, partial),
    )

    threads = Table(title="bare embedding throughput by torch threads")
    for col in ("threads", "sentences/s", "ratio vs 1 thread"):
        threads.add_column(col, justify="right")
    for name, row in result["embedding_threads"].items():
        threads.add_row(
            name.split("_")[1], f"{row['sentences_per_s']:.1f}", f"{row['ratio_vs_1_thread']:.2f}"
        )
    out.print(threads)

    ingest = result["ingest"]
    table = Table(title=f"ingest of {ingest['products']} products (same process)")
    for col in ("bare embedding /s", "end-to-end ingest /s", "ingest / bare"):
        table.add_column(col, justify="right")
    table.add_row(
        f"{ingest['bare_embedding_per_s']:.1f}",
        f"{ingest['ingest_products_per_s']:.1f}",
        f"{ingest['ingest_vs_bare_ratio']:.2f}",
    )
    out.print(table)

    latency = Table(title="search latency (ms) by catalog size and mode")
    for col in ("products", "mode", "p50", "p95", "p99", "p50 / keyword p50"):
        latency.add_column(col, justify="right")
    for size, row in result["search_latency"].items():
        for mode, stats in row["modes"].items():
            latency.add_row(
                f"{int(size):,}",
                mode,
                f"{stats['p50_ms']:.1f}",
                f"{stats['p95_ms']:.1f}",
                f"{stats['p99_ms']:.1f}",
                f"{stats['p50_vs_keyword']:.2f}",
            )
    out.print(latency)
    write_json(json_out, result)


def register(app: typer.Typer) -> None:
    """Commands attach to ``bench_app`` on import."""
