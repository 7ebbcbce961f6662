"""``shoptalk train recommender`` (the LightGBM "for you" ranker) and ``shoptalk forecast``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ml.paths import SAMPLE_CATALOG
from services.cli.common import out, settings_for_cli, write_json


def recommender(
    catalog: Annotated[str, typer.Option(help="Catalog the sessions are drawn over (ABO layout).")] = str(
        SAMPLE_CATALOG
    ),
    sessions: Annotated[int, typer.Option(min=50, help="Synthetic sessions to generate.")] = 1500,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic sessions and the model.")] = 13,
    rounds: Annotated[int, typer.Option(min=10, help="LightGBM boosting rounds.")] = 120,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the result as JSON here.")] = None,
) -> None:
    """Train on synthetic + logged sessions, compare with popularity on a held-out time split,
    log to MLflow (``shoptalk-recommender``) and promote only through the gate."""
    from ml.catalog.reader import read_catalog
    from ml.recommend.job import train_and_register
    from ml.retrieval.factory import build_embedder

    settings = settings_for_cli()
    products = read_catalog(catalog).products
    use_sample = Path(catalog).resolve() == SAMPLE_CATALOG.resolve()
    result = train_and_register(
        settings,
        products,
        build_embedder(settings),
        n_sessions=sessions,
        seed=seed,
        use_sample=use_sample,
        num_boost_round=rounds,
    )
    m = result["metrics"]
    out.print(f"events: {result['events']} ({result['events_source']})")
    out.print(
        f"held-out NDCG@10 {m['heldout_ndcg_at_10']:.4f} (popularity {m['popularity_ndcg_at_10']:.4f}); "
        f"recall@10 {m['heldout_recall_at_10']:.4f} (popularity {m['popularity_recall_at_10']:.4f})"
    )
    colour = "green" if result["decision"]["promote"] else "yellow"
    out.print(
        f"[{colour}]shoptalk-recommender version {result['version']}: "
        f"{result['decision']['reason']}[/{colour}]"
    )
    write_json(json_out, result)


def forecast(
    min_days: Annotated[int, typer.Option(min=35, help="Shorter logs fall back to synthetic history.")] = 42,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic history and the model.")] = 13,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report as JSON here.")] = None,
) -> None:
    """Forecast next-week demand per product type and top item; MASE vs seasonal naive."""
    from ml.forecast.run import run_forecast

    settings = settings_for_cli()
    result = run_forecast(settings, min_days=min_days, seed=seed)
    report = result["report"]
    out.print(
        f"history {report['days']} days ({report['history_source']}); backtest MASE LightGBM "
        f"{report['mase_model']} vs seasonal naive {report['mase_seasonal_naive']}"
    )
    for key, path in result["outputs"].items():
        out.print(f"{key}: {path}")
    write_json(json_out, result)


def register(app: typer.Typer) -> None:
    try:
        from services.cli.train import train_app
    except ImportError:  # the train group is absent: make one
        train_app = typer.Typer(help="Train models.", no_args_is_help=True)
        app.add_typer(train_app, name="train")
    train_app.command("recommender")(recommender)
    app.command("forecast")(forecast)
