"""``shoptalk bench …``: benchmarks that print a table and write machine-readable JSON.

Each suite reports ratios against a baseline measured in the same process, because these
machines are noisy. Suites attach themselves to :data:`bench_app`.
"""

from __future__ import annotations

import typer

bench_app = typer.Typer(
    help="Benchmarks (tables + JSON, ratios against same-run baselines).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(bench_app, name="bench")
