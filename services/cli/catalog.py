"""``shoptalk ingest``, ``shoptalk search`` and ``shoptalk eval``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ml.paths import GOLDEN_QRELS, GOLDEN_QUERIES, SAMPLE_CATALOG
from ml.retrieval.types import SearchFilters, SearchMode
from services.cli.common import console, out, progress_bar, settings_for_cli, write_json


def ingest(
    catalog: Annotated[
        str, typer.Option(help="ABO folder, listings .json.gz, or s3://amazon-berkeley-objects")
    ] = str(SAMPLE_CATALOG),
    batch_size: Annotated[int, typer.Option(min=1, max=4096)] = 128,
    limit: Annotated[int | None, typer.Option(help="Stop after this many unique products.")] = None,
    force: Annotated[bool, typer.Option(help="Re-embed and re-index products already indexed.")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report as JSON here.")] = None,
) -> None:
    """Read a catalog and upsert it into the keyword and vector indexes (idempotent)."""
    from ml.ingest.pipeline import ingest_catalog
    from ml.retrieval.factory import build_embedder, build_keyword_index, build_vector_index

    settings = settings_for_cli()
    embedder = build_embedder(settings)
    keyword = build_keyword_index(settings)
    vector = build_vector_index(settings, embedder.dim)
    with progress_bar("embedding + indexing") as update:
        report = ingest_catalog(
            catalog,
            embedder,
            keyword,
            vector,
            batch_size=batch_size,
            limit=limit,
            force=force,
            progress=update,
        )
    from ml.lineage import record_ingest_report

    run_id = record_ingest_report(
        settings,
        report,
        {"catalog": catalog, "batch_size": batch_size, "limit": limit, "force": force, "trigger": "cli"},
    )
    data = report.as_dict()
    table = Table(title=f"ingest {catalog}")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("lines read", str(report.load.lines_read))
    table.add_row("parsed", str(report.load.parsed))
    table.add_row("duplicates merged", str(report.load.duplicates))
    table.add_row("unique products", str(report.products))
    table.add_row("non-English kept (flagged)", str(report.load.non_english))
    for reason, count in sorted(report.load.skipped_by_reason.items()):
        table.add_row(f"skipped: {reason}", str(count))
    table.add_row("unchanged (already indexed)", str(report.unchanged))
    table.add_row("embedded + indexed", str(report.embedded))
    table.add_row("keyword index size", str(report.keyword_count))
    table.add_row("vector index size", str(report.vector_count))
    out.print(table)
    for skipped in report.load.skipped[:10]:
        console.print(f"  skipped {skipped.source}:{skipped.line} {skipped.reason} {skipped.detail}")
    if len(report.load.skipped) > 10:
        console.print(f"  … and {len(report.load.skipped) - 10} more")
    console.print(f"model {report.model_version}; {report.seconds:.1f}s; lineage run {run_id}")
    write_json(json_out, data)


def search(
    query: Annotated[str, typer.Argument(help="What the shopper typed.")],
    k: Annotated[int, typer.Option("--k", min=1, max=100)] = 10,
    mode: Annotated[SearchMode, typer.Option()] = SearchMode.hybrid,
    price_min: Annotated[float | None, typer.Option(min=0)] = None,
    price_max: Annotated[float | None, typer.Option(min=0)] = None,
    product_type: Annotated[
        list[str] | None, typer.Option("--type", help="Product type, e.g. SHOES.")
    ] = None,
    brand: Annotated[list[str] | None, typer.Option()] = None,
    color: Annotated[list[str] | None, typer.Option()] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Search the indexed catalog (keyword, vector or hybrid), with filters."""
    from ml.retrieval.factory import build_searcher

    settings = settings_for_cli()
    try:
        filters = SearchFilters(
            price_min=price_min,
            price_max=price_max,
            product_types=product_type or [],
            brands=brand or [],
            colors=color or [],
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    from ml.retrieval.milvus_local import EmbeddedMilvusError

    searcher = build_searcher(settings)
    try:  # a locked or corrupt embedded Milvus file is an error here, never a keyword-only answer
        if searcher.vector is not None and not settings.milvus_uri:
            searcher.vector.count()
    except EmbeddedMilvusError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    result = searcher.search(query, k=k, mode=mode, filters=filters)
    if as_json:
        out.print_json(result.model_dump_json())
        return
    table = Table(title=f"{result.mode.value} search: {query!r}")
    # Ids, prices and ranks never shrink; title, type and brand give way on narrow terminals.
    table.add_column("#", justify="right", min_width=2, no_wrap=True)
    table.add_column("item_id", min_width=10, no_wrap=True)
    table.add_column("title", overflow="ellipsis", no_wrap=True, max_width=60)
    table.add_column("type", overflow="ellipsis", no_wrap=True, max_width=20)
    table.add_column("brand", overflow="ellipsis", no_wrap=True, max_width=16)
    for column, width in (("price", 7), ("kw", 3), ("vec", 3), ("score", 6)):
        table.add_column(column, justify="right", min_width=width, no_wrap=True)
    for hit in result.hits:
        p = hit.product
        table.add_row(
            str(hit.rank),
            hit.item_id,
            p.title[:70],
            p.product_type,
            p.brand or "-",
            f"{p.price:.2f}",
            str(hit.keyword_rank or "-"),
            str(hit.vector_rank or "-"),
            f"{hit.score:.4f}",
        )
    out.print(table)
    if result.degraded:
        console.print(f"[yellow]degraded: {', '.join(result.degraded)}[/yellow]")


def evaluate(
    catalog: Annotated[str, typer.Option(help="Catalog to index fresh (ABO layout).")] = str(SAMPLE_CATALOG),
    queries: Annotated[Path, typer.Option(exists=True, dir_okay=False)] = GOLDEN_QUERIES,
    qrels: Annotated[Path, typer.Option(exists=True, dir_okay=False)] = GOLDEN_QRELS,
    k: Annotated[int, typer.Option(min=1, max=100)] = 10,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write metrics as JSON here.")] = None,
    profile: Annotated[
        list[str] | None, typer.Option(help="Search profiles to measure (fast, quality); default both.")
    ] = None,
) -> None:
    """Evaluate keyword, vector and hybrid retrieval and the fast/quality search profiles on graded
    judgments (nDCG, recall, MRR), overall and per query kind, with latency per profile."""
    from ml.benchmarks.stats import load_average, machine_info
    from ml.evaluation.golden import load_qrels, load_queries, load_query_kinds
    from ml.evaluation.runner import PROFILES, run_eval

    profiles = tuple(profile or PROFILES)
    if set(profiles) - set(PROFILES):
        raise typer.BadParameter(f"profiles are {', '.join(PROFILES)}")
    settings = settings_for_cli()
    machine = machine_info()  # latencies depend on how busy the machine was: recorded with them
    with progress_bar("indexing catalog") as update:
        result = run_eval(
            catalog,
            load_queries(queries),
            load_qrels(qrels),
            settings,
            k=k,
            progress=update,
            kinds=load_query_kinds(queries),
            profiles=profiles,
        )
    table = Table(title=f"retrieval quality on {result['queries']} queries (k={k})")
    table.add_column("mode")
    metrics = list(next(iter(result["modes"].values())).keys())
    for metric in metrics:
        table.add_column(metric, justify="right")
    for mode, values in result["modes"].items():
        table.add_row(mode, *(f"{values[m]:.4f}" for m in metrics))
    for name, values in result.get("profiles", {}).items():
        latency = values["latency_ms"]
        table.add_row(
            f"profile {name} (p50 {latency['p50']:.0f} / p95 {latency['p95']:.0f} ms)",
            *(f"{values[m]:.4f}" for m in metrics),
        )
    out.print(table)
    if result.get("kinds"):
        ndcg = f"ndcg@{k}"
        columns = [*result["modes"], *result.get("profiles", {})]
        by_kind = Table(title=f"{ndcg} by query kind")
        by_kind.add_column("kind")
        by_kind.add_column("queries", justify="right")
        for column in columns:
            by_kind.add_column(column, justify="right")
        for kind, values in result["kinds"].items():
            by_kind.add_row(
                kind, str(values["queries"]), *(f"{values.get(c, {}).get(ndcg, 0.0):.4f}" for c in columns)
            )
        out.print(by_kind)
    summary = {
        "queries": result["queries"],
        "modes": result["modes"],
        "profiles": result.get("profiles", {}),
        "kinds": result.get("kinds", {}),
        "model_version": result["model_version"],
        "catalog": result["catalog"],
        "per_query": result["per_query"],
        "machine": {**machine, "load_average_after": load_average()},
    }
    write_json(json_out, summary)
    if json_out is None:
        brief = {key: result.get(key, {}) for key in ("queries", "modes", "profiles")}
        console.print(json.dumps(brief))


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("search")(search)
    app.command("eval")(evaluate)
