"""``shoptalk train intents``: train the intent classifier, evaluate it, register it, gate it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from services.cli.common import console, out, progress_bar, settings_for_cli, write_json

train_app = typer.Typer(help="Train models on committed data (intents).", no_args_is_help=True)


@train_app.command("intents")
def intents(
    data: Annotated[
        Path | None, typer.Option(help="Labelled JSONL (text, intent, split); default: the committed set.")
    ] = None,
    min_f1: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Macro-F1 bar when no champion exists (0.90).")
    ] = None,
    l2: Annotated[float | None, typer.Option(min=0.0, help="L2 penalty of the logistic regression.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the result as JSON here.")] = None,
) -> None:
    """Train on the train split, score the held-out split, log to MLflow, promote only if it wins."""
    from dataclasses import replace

    from ml.training.intents import IntentTrainConfig, confusion_table, train_intents
    from ml.understanding.intent_data import DATA_PATH

    settings = settings_for_cli()
    config = IntentTrainConfig(data=str(data or DATA_PATH))
    if min_f1 is not None:
        config.min_macro_f1 = min_f1
    if l2 is not None:
        config.model = replace(config.model, l2=l2)
    with progress_bar("embedding utterances") as update:
        result = train_intents(settings, config, progress=update)
    summary = result.as_dict()
    test = result.metrics["test"]
    _print_per_intent(test, result.champion_metrics)
    out.print(confusion_table(test), highlight=False)
    latency = result.latency
    if latency:
        out.print(
            f"latency per message after load: embed + classify p50 {latency['predict_ms_p50']:.1f} ms "
            f"(p95 {latency['predict_ms_p95']:.1f}); classify a given vector p50 "
            f"{latency['classify_ms_p50']:.2f} ms"
        )
    out.print(
        f"{result.rows['train']} train / {result.rows['test']} test rows; "
        f"embed {result.seconds['embed']:.1f}s, fit {result.seconds['fit']:.1f}s; MLflow run {result.run_id}"
    )
    colour = "green" if result.promoted else "yellow"
    name = settings.intent_model_name
    out.print(f"[{colour}]{name} version {result.version}: {result.decision.reason}[/{colour}]")
    out.print(f"champion: {result.champion_before or 'none'} → {result.champion_after or 'none'}")
    write_json(json_out, summary)


def _print_per_intent(test: dict[str, Any], champion: dict[str, Any] | None) -> None:
    table = Table(title=f"held-out intents ({test['rows']} rows)")
    table.add_column("intent")
    for column in ("precision", "recall", "f1", "support"):
        table.add_column(column, justify="right")
    if champion:
        table.add_column("champion f1", justify="right")
    for intent, values in test["per_intent"].items():
        row = [
            intent,
            f"{values['precision']:.3f}",
            f"{values['recall']:.3f}",
            f"{values['f1']:.3f}",
            str(values["support"]),
        ]
        if champion:
            row.append(f"{champion['per_intent'][intent]['f1']:.3f}")
        table.add_row(*row)
    macro = ["macro", "", "", f"{test['macro_f1']:.4f}", f"acc {test['accuracy']:.3f}"]
    if champion:
        macro.append(f"{champion['macro_f1']:.4f}")
    table.add_row(*macro, style="bold")
    out.print(table)
    if not test["per_intent"]:
        console.print("no test rows")


def register(app: typer.Typer) -> None:
    app.add_typer(train_app, name="train")
