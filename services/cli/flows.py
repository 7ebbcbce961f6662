"""``shoptalk runs | ingest-flow | finetune | models | drift``: the Prefect flows and their records.

Flows run on Prefect's ephemeral server locally (state in ``SHOPTALK_DATA_DIR/prefect``,
nothing to start by hand) or against ``PREFECT_API_URL`` when set.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ml.config import Settings
from ml.paths import SAMPLE_CATALOG
from services.cli.common import console, out, settings_for_cli, write_json

runs_app = typer.Typer(help="Pipeline run lineage (per run and per stage).", invoke_without_command=True)
models_app = typer.Typer(
    help="Registered adapter versions; `promote VERSION` is the rollback.", invoke_without_command=True
)

CatalogOption = Annotated[
    str, typer.Option(help="ABO folder, listings .json.gz, or s3://amazon-berkeley-objects")
]


def _flow_settings() -> Settings:
    settings = settings_for_cli()
    from flows.runtime import configure_local_prefect

    configure_local_prefect(settings.data_dir)
    return settings


# ------------------------------------------------------------------------------------ runs
@runs_app.callback()
def runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    kind: Annotated[str | None, typer.Option(help="ingest, finetune or drift")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List recent runs (``shoptalk runs show RUN_ID`` for stages)."""
    if ctx.invoked_subcommand is not None:
        return
    from ml.lineage import LineageStore

    store = LineageStore.for_settings(settings_for_cli())
    records = store.list_runs(limit=limit, kind=kind)
    if as_json:
        out.print_json(json.dumps([r.as_dict() for r in records], default=str))
        return
    table = Table(title=f"runs ({store.path})")
    for column in ("run id", "kind", "status", "started", "seconds", "model version", "result"):
        table.add_column(column, overflow="fold")
    for r in records:
        table.add_row(
            r.run_id,
            r.kind,
            r.status,
            r.started_at[:19],
            f"{r.seconds:.1f}" if r.seconds else "-",
            r.model_version or "-",
            _run_result(r.kind, r.summary, r.error),
        )
    out.print(table)


def _run_result(kind: str, summary: dict[str, Any], error: str | None) -> str:
    if error:
        return error[:80]
    if kind == "ingest" and summary:
        return (
            f"embedded {summary.get('embedded')}, skipped {summary.get('unchanged_skipped')}; "
            f"index {summary.get('keyword_count')}/{summary.get('vector_count')}"
        )
    if kind == "finetune" and summary:
        return f"v{summary.get('registered_version')} {'promoted' if summary.get('promoted') else 'blocked'}"
    if kind == "drift" and summary:
        return f"{summary.get('method')} {summary.get('score')} {summary.get('status')}"
    return "-"


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id (or a unique prefix).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One run with its stages (records in/out/skipped, seconds, status, model version)."""
    from ml.lineage import LineageStore

    record = LineageStore.for_settings(settings_for_cli()).get_run(run_id)
    if record is None:
        console.print(f"[red]no run matches {run_id!r}[/red]")
        raise typer.Exit(code=1)
    if as_json:
        out.print_json(json.dumps(record.as_dict(), default=str))
        return
    out.print(
        f"[bold]{record.run_id}[/bold] {record.kind} {escape('[' + record.status + ']')} "
        f"model {record.model_version or '-'}"
    )
    out.print(f"params {json.dumps(record.params, default=str)}")
    table = Table(title="stages")
    for column in ("stage", "in", "out", "skipped", "seconds", "status", "model version", "detail"):
        table.add_column(column, overflow="fold")
    for s in record.stages:
        table.add_row(
            s.stage,
            str(s.records_in),
            str(s.records_out),
            str(s.skipped),
            f"{s.seconds:.2f}",
            s.status,
            s.model_version or "-",
            s.detail[:120],
        )
    out.print(table)
    if record.error:
        console.print(f"[red]error: {record.error}[/red]")


# ------------------------------------------------------------------------------------ ingest
def ingest_flow_command(
    catalog: CatalogOption = str(SAMPLE_CATALOG),
    batch_size: Annotated[int, typer.Option(min=1, max=4096)] = 128,
    limit: Annotated[int | None, typer.Option(help="Stop after this many unique products.")] = None,
    force: Annotated[bool, typer.Option(help="Re-embed products already indexed.")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the summary as JSON here.")] = None,
    task_runner: Annotated[
        str, typer.Option(help="local, or ray: embed batches on a Ray cluster (prefect-ray).")
    ] = "local",
    ray_address: Annotated[
        str | None, typer.Option(help="Ray cluster (ray://head:10001); unset: a new local Ray.")
    ] = None,
    ray_cpus: Annotated[int, typer.Option(min=1, help="Embed batches in flight on Ray.")] = 2,
) -> None:
    """Ingest through the Prefect flow (batched, retried, resumable, lineage recorded)."""
    settings = _flow_settings()
    from flows.ingest import ingest_flow, ingest_flow_on_ray

    if task_runner not in ("local", "ray"):
        raise typer.BadParameter("--task-runner is local or ray")
    on_ray = task_runner == "ray"
    run = ingest_flow_on_ray(ray_address, None if ray_address else ray_cpus) if on_ray else ingest_flow
    summary = run(
        catalog=catalog,
        batch_size=batch_size,
        limit=limit,
        force=force,
        settings=settings,
        embed_window=ray_cpus if on_ray else 0,
    )
    table = Table(title=f"ingest flow {catalog}")
    table.add_column("what")
    table.add_column("value", justify="right")
    for key in (
        "products",
        "duplicates_merged",
        "skipped_lines",
        "unchanged_skipped",
        "embedded",
        "keyword_count",
        "vector_count",
        "model_version",
        "seconds",
        "lineage_run_id",
    ):
        table.add_row(key, str(summary.get(key)))
    out.print(table)
    write_json(json_out, summary)


# ------------------------------------------------------------------------------------ finetune
def finetune(
    catalog: CatalogOption = str(SAMPLE_CATALOG),
    epochs: Annotated[int, typer.Option(min=1, max=200)] = 8,
    limit: Annotated[int | None, typer.Option(help="Use at most this many products.")] = None,
    margin: Annotated[
        float | None, typer.Option(help="Gain over the champion needed (default: settings).")
    ] = None,
    min_ndcg: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Bar when no champion exists.")
    ] = None,
    reembed: Annotated[bool, typer.Option(help="Re-embed the catalog into the indexes if promoted.")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the result as JSON here.")] = None,
) -> None:
    """Train an adapter, evaluate base vs candidate on held-out products, register, gate promotion."""
    settings = _flow_settings()
    from flows.finetune import finetune_flow

    result = finetune_flow(
        catalog=catalog,
        epochs=epochs,
        limit=limit,
        promotion_margin=margin,
        promotion_min_ndcg=min_ndcg,
        reembed_catalog=catalog if reembed else None,
        settings=settings,
    )
    table = Table(title=f"held-out retrieval ({result['metrics']['base']['queries']} queries)")
    table.add_column("model")
    for column in ("keyword ndcg@10", "vector ndcg@10", "hybrid ndcg@10", "hybrid recall@10"):
        table.add_column(column, justify="right")
    for name, m in result["metrics"].items():
        table.add_row(
            name,
            f"{m['keyword']['ndcg@10']:.4f}",
            f"{m['vector']['ndcg@10']:.4f}",
            f"{m['hybrid']['ndcg@10']:.4f}",
            f"{m['hybrid']['recall@10']:.4f}",
        )
    out.print(table)
    colour = "green" if result["promoted"] else "yellow"
    out.print(f"[{colour}]version {result['registered_version']}: {result['decision']['reason']}[/{colour}]")
    out.print(
        f"{result['epochs']} epochs, {result['seconds_per_epoch']:.2f}s/epoch; champion now "
        f"{result['champion_after'] or 'none'}"
    )
    write_json(json_out, result)


# ------------------------------------------------------------------------------------ models
def _metric_formatter(metrics: dict[str, float]) -> Any:
    return lambda key: f"{metrics[key]:.4f}" if key in metrics else "-"


@models_app.callback()
def models(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """Registered versions, their held-out metrics, and which one is champion."""
    if ctx.invoked_subcommand is not None:
        return
    from ml.training.registry import ModelRegistry

    settings = settings_for_cli()
    registry = ModelRegistry.from_settings(settings)
    versions = registry.versions()
    if as_json:
        out.print_json(json.dumps([v.as_dict() for v in versions], default=str))
        return
    table = Table(title=f"{settings.registered_model_name} ({settings.resolved_mlflow_uri})")
    for column in (
        "version",
        "champion",
        "base ndcg",
        "candidate ndcg",
        "champion-at-train ndcg",
        "golden base → cand ndcg",
        "gate",
        "adapter",
    ):
        table.add_column(column, overflow="fold")
    for v in versions:
        fmt = _metric_formatter(v.metrics)
        table.add_row(
            v.version,
            "★" if v.is_champion else "",
            fmt("heldout_base_hybrid_ndcg_at_10"),
            fmt("heldout_candidate_hybrid_ndcg_at_10"),
            fmt("heldout_champion_hybrid_ndcg_at_10"),
            f"{fmt('golden_base_hybrid_ndcg_at_10')} → {fmt('golden_candidate_hybrid_ndcg_at_10')}",
            v.tags.get("promotion_reason", "-")[:90],
            v.tags.get("adapter_version", "-"),
        )
    out.print(table)
    if not versions:
        console.print("no versions yet: run `shoptalk finetune`")


@models_app.command("promote")
def models_promote(
    version: Annotated[str, typer.Argument(help="Registered version to make champion (rollback).")],
    reembed: Annotated[str | None, typer.Option(help="Catalog to re-embed with the new champion.")] = None,
) -> None:
    """Point the ``champion`` alias at VERSION (no gate: this is the operator's rollback)."""
    from ml.training.registry import ModelRegistry, RegistryError

    settings = settings_for_cli()
    registry = ModelRegistry.from_settings(settings)
    before = registry.champion_version()
    try:
        registry.set_champion(version)
    except RegistryError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=1) from exc
    registry.set_version_tags(
        version, {"promoted_by": "shoptalk models promote", "previous_champion": str(before)}
    )
    out.print(f"champion: {before or 'none'} → {version}")
    if reembed:
        _flow_settings()
        from flows.ingest import reembed_after_promotion

        result = reembed_after_promotion(settings, reembed)
        out.print(f"re-embed: {result.get('status')} {result.get('reason') or result.get('lineage_run_id')}")
    else:
        console.print(
            "indexes still carry the old model version: re-embed with "
            f"`shoptalk models promote {version} --reembed CATALOG` or `shoptalk ingest-flow`"
        )


# ------------------------------------------------------------------------------------ drift
def drift(
    catalog: Annotated[str, typer.Option(help="Catalog the reference queries are generated from.")] = str(
        SAMPLE_CATALOG
    ),
    window: Annotated[int | None, typer.Option(min=10, help="Newest logged queries to compare.")] = None,
    method: Annotated[str | None, typer.Option(help="model | mmd | ratio | distance")] = None,
    threshold: Annotated[float | None, typer.Option(help="Override the method's threshold.")] = None,
    report: Annotated[bool, typer.Option("--report", help="Also render the HTML report (~30 s).")] = False,
    rebuild_reference: Annotated[bool, typer.Option(help="Re-embed the reference queries.")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the result as JSON here.")] = None,
) -> None:
    """Check logged query embeddings for drift against the catalog's reference queries."""
    from ml.drift.detector import METHODS

    if method is not None and method not in METHODS:
        raise typer.BadParameter(f"choose one of {', '.join(METHODS)}", param_hint="--method")
    settings = _flow_settings()
    from flows.drift import drift_flow

    try:
        record = drift_flow(
            catalog=catalog,
            window=window,
            method=method,
            threshold=threshold,
            report=report,
            rebuild_reference=rebuild_reference,
            settings=settings,
        )
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=2) from exc
    colour = "red" if record["detected"] else "green"
    out.print(
        f"[{colour}]drift {record['status']}: {record['method']} score {record['score']:.4f} "
        f"(threshold {record['threshold']}), {record['current_size']} current vs "
        f"{record['reference_size']} reference[/{colour}]"
    )
    for key, value in record.get("outputs", {}).items():
        console.print(f"  {key}: {value}")
    if record.get("report"):
        console.print(f"  report: {record['report']}")
    write_json(json_out, record)


def register(app: typer.Typer) -> None:
    app.add_typer(runs_app, name="runs")
    app.add_typer(models_app, name="models")
    app.command("ingest-flow")(ingest_flow_command)
    app.command("finetune")(finetune)
    app.command("drift")(drift)
