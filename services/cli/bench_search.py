"""``shoptalk bench search``: embedding and ingest throughput, search latency at 10k / 100k / 1M.

Writes ``docs/benchmarks/search.json`` (checkpointed after every suite) with the machine it
ran on (CPU model, cores, bf16 flags, load average before and after): run it on a quiet
machine, e.g. ``OMP_NUM_THREADS=1 shoptalk bench search`` (about 15 minutes on 2 quiet cores).
Vector latency is reported three ways: the ``vector`` search mode (query embedding + index),
``vector_index_only`` (the index search with precomputed query vectors) and
``embed_query_only``. The 1M size is vector-only with synthetic variant vectors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ml.paths import GOLDEN_QUERIES, SAMPLE_CATALOG
from services.cli.bench import bench_app
from services.cli.common import console, out, settings_for_cli, write_json

DEFAULT_SIZES = [10_000, 100_000, 1_000_000]


def parse_sizes(text: str) -> list[int]:
    """``"10000,100k,1M"`` → ``[10000, 100000, 1000000]``."""
    out_sizes = []
    for part in filter(None, (p.strip().lower().replace("_", "") for p in text.split(","))):
        scale = {"k": 1_000, "m": 1_000_000}.get(part[-1], 1)
        number = part[:-1] if scale > 1 else part
        try:
            value = int(float(number) * scale)
        except ValueError as exc:
            raise typer.BadParameter(f"not a catalog size: {part!r}") from exc
        if value < 1:
            raise typer.BadParameter(f"catalog size must be positive: {part!r}")
        out_sizes.append(value)
    return out_sizes


@bench_app.command("search")
def bench_search(
    catalog: Annotated[str, typer.Option()] = str(SAMPLE_CATALOG),
    queries: Annotated[Path, typer.Option(exists=True, dir_okay=False)] = GOLDEN_QUERIES,
    sizes: Annotated[
        str, typer.Option("--sizes", help="Comma-separated catalog sizes, e.g. 10k,100k,1M.")
    ] = "10k,100k,1M",
    size: Annotated[list[int] | None, typer.Option("--size", help="A catalog size (repeatable).")] = None,
    keyword_max: Annotated[
        int, typer.Option(help="Sizes above this are measured vector-only (keyword build skipped).")
    ] = 100_000,
    threads: Annotated[str, typer.Option(help="Torch thread counts to compare.")] = "1,2",
    json_out: Annotated[Path, typer.Option("--json")] = Path("docs/benchmarks/search.json"),
) -> None:
    """Embedding docs/s by precision and threads; ingest vs bare model; search p50/p95/p99 by size."""
    from ml.benchmarks.search_bench import run
    from ml.evaluation.golden import load_queries

    settings = settings_for_cli()
    query_texts = list(load_queries(queries).values())
    thread_counts = [int(t) for t in threads.split(",") if t.strip()]
    result = run(
        catalog,
        query_texts,
        size or parse_sizes(sizes),
        settings,
        lambda m: console.print(f"· {m}"),
        checkpoint=lambda partial: write_json(json_out, partial),
        keyword_max=keyword_max,
        threads=thread_counts,
    )
    print_tables(result)
    write_json(json_out, result)
    console.print(f"wrote {json_out}")


def print_tables(result: dict[str, Any]) -> None:
    machine = result["machine"]
    console.print(
        f"{machine['cpu_model']} · {machine['cpus_usable']} cores · bf16: {machine['bf16_flags'] or 'no'} · "
        f"load {machine['load_average_before']} → {machine.get('load_average_after')}"
    )
    emb = Table(title="bare embedding throughput (docs/s)")
    for col in ("precision", "threads", "docs/s", "vs fp32 1 thread"):
        emb.add_column(col, justify="right")
    for row in result["embedding"].values():
        if isinstance(row, dict):
            emb.add_row(
                row["precision"],
                str(row["threads"]),
                f"{row['docs_per_s']:.1f}",
                f"{row['ratio_vs_fp32_1_thread']:.2f}",
            )
    out.print(emb)

    ingest = result["ingest"]
    table = Table(title=f"ingest of {ingest['products']} products (same process, {ingest['precision']})")
    for col in ("torch threads", "bare embedding /s", "ingest /s", "ingest / bare", "not overlapped /s"):
        table.add_column(col, justify="right")
    for row in ingest.get("by_threads", {"default": ingest}).values():
        sequential = row.get("sequential_ingest_products_per_s")
        table.add_row(
            str(row.get("torch_threads", "-")),
            f"{row['bare_embedding_per_s']:.1f}",
            f"{row['ingest_products_per_s']:.1f}",
            f"{row['ingest_vs_bare_ratio']:.2f}",
            f"{sequential:.1f}" if sequential else "-",
        )
    out.print(table)

    latency = Table(title="search latency (ms) by catalog size and mode")
    for col in ("products", "index", "mode", "p50", "p95", "p99", "p50 / keyword p50"):
        latency.add_column(col, justify="right")
    for size_key, row in result["search_latency"].items():
        for mode, stats in row["modes"].items():
            latency.add_row(
                f"{int(size_key):,}",
                str(row.get("vector_index")),
                mode,
                f"{stats['p50_ms']:.1f}",
                f"{stats['p95_ms']:.1f}",
                f"{stats['p99_ms']:.1f}",
                f"{stats['p50_vs_keyword']:.2f}" if "p50_vs_keyword" in stats else "-",
            )
    out.print(latency)
    for size_key, row in result["search_latency"].items():
        for name, value in row.get("ratios", {}).items():
            console.print(f"  {int(size_key):,}: {name} = {value}")


def register(app: typer.Typer) -> None:
    """Commands attach to ``bench_app`` on import."""
