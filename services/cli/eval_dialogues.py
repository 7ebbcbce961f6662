"""``shoptalk eval dialogues``: scripted conversations through the real chat pipeline.

``shoptalk eval`` (graded retrieval) stays as it was: this module turns ``eval`` into a group
whose default action is that command, and adds ``dialogues`` under it, so both
``shoptalk eval --catalog X --json Y`` and ``shoptalk eval dialogues --catalog X`` work.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ml.benchmarks.stats import load_average
from ml.logging import configure_logging
from ml.paths import PACKAGE_ROOT, SAMPLE_CATALOG
from services.cli.common import console, out, progress_bar, settings_for_cli, write_json

SAMPLE_DIALOGUES = PACKAGE_ROOT / "sample" / "dialogues" / "dialogues.jsonl"


def _print_report(report: Any, title: str, verbose: bool) -> None:
    table = Table(title=f"{title}: {report.passed}/{report.dialogues} passed ({report.pass_rate:.0%})")
    table.add_column("kind")
    table.add_column("dialogues", justify="right")
    table.add_column("passed", justify="right")
    table.add_column("pass rate", justify="right")
    for name, summary in report.kinds.items():
        table.add_row(name, str(summary.dialogues), str(summary.passed), f"{summary.pass_rate:.2f}")
    table.add_row("all", str(report.dialogues), str(report.passed), f"{report.pass_rate:.2f}", style="bold")
    out.print(table)
    for failure in report.failures:
        out.print(
            f"[red]✗[/red] {failure.dialogue_id} turn {failure.turn} ({failure.kind}): {failure.user!r}"
        )
        for reason in failure.reasons:
            out.print(f"    - {reason}", markup=False, highlight=False)
        if verbose:
            for key, value in failure.response.items():
                out.print(f"      {key}: {value}", markup=False, highlight=False)
    timings = report.timings_ms
    console.print(
        f"turns {report.turns_passed}/{report.turns} passed; turn p50 {timings.get('turn_p50', 0):.0f} ms, "
        f"p95 {timings.get('turn_p95', 0):.0f} ms; answered by {report.answered_by}"
    )


def dialogues(
    catalog: Annotated[str, typer.Option(help="Catalog to index fresh (ABO layout).")] = str(SAMPLE_CATALOG),
    dialogues_path: Annotated[
        Path, typer.Option("--dialogues", exists=True, dir_okay=False, help="Dialogue JSONL file.")
    ] = SAMPLE_DIALOGUES,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report as JSON here.")] = None,
    llm: Annotated[
        list[str] | None,
        typer.Option(
            help="Answerer (repeatable, side by side): offline (grounded offline answerer), settings (the "
            "configured LLM client, e.g. GPT-4o), or a local llama.cpp model: smollm2, qwen1.5b."
        ),
    ] = None,
    kind: Annotated[list[str] | None, typer.Option(help="Only dialogues of this kind (repeatable).")] = None,
    per_kind: Annotated[
        int | None,
        typer.Option(min=1, help="Only the first N dialogues of each kind (a stratified subset)."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("-v", "--verbose", help="Show each failing turn's response.")
    ] = False,
) -> None:
    """Play scripted multi-turn dialogues against the gateway pipeline; pass rates per kind.

    One ``--llm``: the JSON is that answerer's report. Several: one index, the suite once per
    answerer, and the JSON (rewritten after each) holds every report side by side."""
    from ml.evaluation.dialogues import load_dialogues
    from ml.evaluation.runner import fresh_index
    from services.gateway.dialogue_eval import ANSWERERS, acompare_answerers, first_per_kind
    from services.gateway.local_llm import LocalLLMUnavailable

    choices = list(dict.fromkeys(llm or ["offline"]))
    unknown = [c for c in choices if c not in ANSWERERS]
    if unknown:
        raise typer.BadParameter(f"--llm must be one of {', '.join(ANSWERERS)}, not {', '.join(unknown)}")
    settings = settings_for_cli()
    if not verbose:  # the pipeline logs every turn at INFO; the report is what matters here
        configure_logging("WARNING", settings.log_format)
    try:
        suite = load_dialogues(dialogues_path, kinds=kind or None)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if per_kind is not None:
        suite = first_per_kind(suite, per_kind)
    if not suite:
        raise typer.BadParameter(f"no dialogues of kind {kind} in {dialogues_path}")
    combined: dict[str, Any] = {
        "command": "shoptalk eval dialogues " + " ".join(sys.argv[3:] if len(sys.argv) > 3 else []),
        "dialogues_file": str(dialogues_path),
        "per_kind": per_kind,
        "load_average_before": load_average(),
        "answerers": {},
    }

    def on_report(choice: str, model: str, report: Any, seconds: float) -> None:
        if choice == "settings" and model == "offline":
            console.print("[yellow]no LLM configured in settings: the offline answerer answered[/yellow]")
        _print_report(report, f"{choice} ({model})" if len(choices) > 1 else "dialogues", verbose)
        if len(choices) == 1:
            write_json(json_out, report.summary())
            return
        combined["answerers"][choice] = {"model": model, "seconds": round(seconds, 1), **report.summary()}
        combined["load_average_after"] = load_average()
        combined["side_by_side"] = {
            name: {k: row[k] for k in ("model", "pass_rate", "passed", "dialogues", "turns_passed", "turns")}
            for name, row in combined["answerers"].items()
        }
        write_json(json_out, combined)

    try:
        with ExitStack() as stack:
            with progress_bar("indexing catalog") as index_update:
                fresh = stack.enter_context(fresh_index(catalog, settings, progress=index_update))
            with progress_bar("dialogues") as update:
                compare = acompare_answerers(
                    fresh.searcher, fresh.data_dir, suite, settings, choices, on_report, update
                )
                asyncio.run(compare)
    except LocalLLMUnavailable as exc:
        console.print(f"[red]local answer model unavailable: {exc}[/red]")
        raise typer.Exit(1) from exc


def _default_callback(command: Callable[..., None]) -> Callable[..., None]:
    """A group callback with ``command``'s options that runs it when no subcommand is given."""

    def callback(ctx: typer.Context, **kwargs: Any) -> None:
        if ctx.invoked_subcommand is None:
            command(**kwargs)

    signature = inspect.signature(command, eval_str=True)
    ctx_param = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)
    callback.__signature__ = signature.replace(parameters=[ctx_param, *signature.parameters.values()])  # type: ignore[attr-defined]
    callback.__annotations__ = {"ctx": typer.Context, **inspect.get_annotations(command, eval_str=True)}
    callback.__doc__ = command.__doc__
    callback.__name__ = command.__name__
    return callback


def register(app: typer.Typer) -> None:
    existing = next((c for c in app.registered_commands if c.name == "eval"), None)
    group = typer.Typer(
        name="eval",
        invoke_without_command=True,
        no_args_is_help=False,
        help="Evaluate: graded retrieval (default) or scripted dialogues (`eval dialogues`).",
    )
    if existing is not None and existing.callback is not None:
        app.registered_commands.remove(existing)
        group.callback(invoke_without_command=True)(_default_callback(existing.callback))
    group.command("dialogues")(dialogues)
    app.add_typer(group, name="eval")
