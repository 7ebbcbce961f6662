"""The ``shoptalk`` command line: one entry point, a subcommand for every job a person runs."""

from __future__ import annotations

import importlib

import typer

from ml.quiet import apply_quiet_defaults

apply_quiet_defaults()  # offline, quiet, single-threaded; the environment can override every one

app = typer.Typer(
    name="shoptalk",
    help="ShopTalk: conversational shopping over the Amazon Berkeley Objects catalog.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module defines ``register(app)``; a module whose extra is not installed is skipped.
COMMAND_MODULES = [
    "services.cli.catalog",
    "services.cli.serve",
    "services.cli.bench",
    "services.cli.bench_search",
    "services.cli.serve_models",
    "services.cli.bench_inference",
    "services.cli.serve_gateway",
    "services.cli.bench_gateway",
    "services.cli.bench_llm",
    "services.cli.bench_load",
    "services.cli.flows",
    "services.cli.train",
    "services.cli.recommend",
    "services.cli.bench_flows",
    "services.cli.up",
    "services.cli.weights",
    "services.cli.eval_dialogues",
]


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # An image installs only its own extra (e.g. the gateway has no prefect): its
            # commands are simply absent. Our own modules missing is a real error.
            if exc.name and exc.name.split(".")[0] in {"ml", "services", "flows"}:
                raise
            continue
        module.register(app)


_register_all()


def main() -> None:
    app()
