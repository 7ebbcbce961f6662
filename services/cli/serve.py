"""``shoptalk serve …``: long-running servers (gateway, KServe model servers).

Commands are attached to :data:`serve_app` by the modules that own each server, so a
deployable only imports what it runs.
"""

from __future__ import annotations

import typer

serve_app = typer.Typer(
    help="Run a ShopTalk server (bound to 127.0.0.1 unless --host says otherwise).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(serve_app, name="serve")
