"""``shoptalk bench flows``: what the Prefect flows cost on top of the work they orchestrate.

* ingestion: end-to-end flow throughput (read → plan → embed → upsert both indexes, Prefect
  task runs and lineage writes included) vs bare embedding throughput on the same texts with
  the same model instance — the pipeline overhead ratio;
* fine-tuning: base-embedding time (once) and adapter training seconds per epoch;
* drift: one check (Evidently ``model`` and ``mmd`` methods) on reference vs a window.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ml.paths import SAMPLE_CATALOG
from services.cli.bench import bench_app
from services.cli.common import console, out, settings_for_cli, write_json


def _bench_ingest(
    catalog: str, limit: int | None, batch_size: int, embedder: Any, work: Path
) -> dict[str, Any]:
    from flows.ingest import IngestComponents, ingest_flow
    from ml.catalog.document import document_text
    from ml.catalog.reader import read_catalog
    from ml.config import Settings
    from ml.retrieval.factory import build_keyword_index, build_vector_index

    products = read_catalog(catalog, limit=limit).products
    texts = [document_text(p) for p in products]
    embedder.embed(texts[:batch_size])  # warm-up
    start = time.perf_counter()
    for begin in range(0, len(texts), batch_size):
        embedder.embed(texts[begin : begin + batch_size])
    bare_s = time.perf_counter() - start

    def run(data_dir: Path, run_limit: int | None) -> tuple[dict[str, Any], float]:
        settings = Settings(data_dir=data_dir)
        parts = IngestComponents(
            embedder, build_keyword_index(settings), build_vector_index(settings, embedder.dim)
        )
        try:
            began = time.perf_counter()
            summary = ingest_flow(
                catalog=catalog, batch_size=batch_size, limit=run_limit, settings=settings, components=parts
            )
            return summary, time.perf_counter() - began
        finally:
            parts.vector.close()  # type: ignore[attr-defined]

    run(work / "warmup", min(len(products), batch_size))  # starts Prefect's ephemeral server
    summary, flow_s = run(work / "ingest", limit)
    bare_rate = len(texts) / bare_s
    flow_rate = summary["embedded"] / flow_s
    return {
        "products": len(products),
        "batch_size": batch_size,
        "bare_embedding_s": round(bare_s, 3),
        "bare_embedding_per_s": round(bare_rate, 2),
        "flow_wall_s": round(flow_s, 3),
        "flow_embed_s": summary["embed_seconds"],
        "flow_products_per_s": round(flow_rate, 2),
        "pipeline_overhead_ratio": round(bare_rate / flow_rate, 3),
        "embedding_share_of_flow": round(summary["embed_seconds"] / flow_s, 3),
    }


def _bench_finetune(
    catalog: str, limit: int | None, epochs: int, settings: Any
) -> tuple[dict[str, Any], Any]:
    from ml.embedding.adapter import Adapter
    from ml.training import finetune as ft
    from ml.training.train import TrainConfig, train_adapter

    config = ft.FinetuneConfig(catalog=catalog, limit=limit, train=TrainConfig(epochs=epochs))
    prepared = ft.prepare(config)
    embedded = ft.embed(prepared, ft.base_embedder(settings))
    start = time.perf_counter()
    train, val, queries = ft.mine(prepared, embedded, Adapter.identity(), config.negatives_per_anchor)
    mine_s = time.perf_counter() - start
    trained = train_adapter(queries, embedded.doc_vectors, train, val, config.train)
    texts = len(prepared.products) + len(prepared.train_queries) + len(prepared.heldout_queries)
    return {
        "products": len(prepared.products),
        "triplets": len(train),
        "embed_base_s": round(embedded.seconds, 3),
        "embedded_texts": texts,
        "mine_s": round(mine_s, 3),
        "epochs": epochs,
        "seconds_per_epoch": round(statistics.mean(trained.epoch_seconds), 4),
        "epoch_seconds": [round(s, 4) for s in trained.epoch_seconds],
        "first_vs_last_loss": [round(trained.train_loss[0], 5), round(trained.train_loss[-1], 5)],
    }, embedded


def _bench_drift(embedded: Any, window: int) -> dict[str, Any]:
    from ml.drift.detector import detect_drift

    reference = embedded.train_query_vectors
    current = embedded.heldout_query_vectors[:window]
    rows = {}
    for method in ("model", "mmd"):
        result = detect_drift(reference, current, method)
        rows[method] = {**result.as_dict(), "seconds": round(result.seconds, 4)}
    return {"reference": int(reference.shape[0]), "window": int(current.shape[0]), "methods": rows}


@bench_app.command("flows")
def bench_flows(
    catalog: Annotated[str, typer.Option(help="ABO-layout catalog.")] = str(SAMPLE_CATALOG),
    limit: Annotated[int | None, typer.Option(help="Use at most this many products.")] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=4096)] = 128,
    epochs: Annotated[int, typer.Option(min=1, max=100)] = 5,
    window: Annotated[int, typer.Option(min=20)] = 500,
    json_out: Annotated[Path, typer.Option("--json")] = Path("bench-results/flows.json"),
) -> None:
    """Ingest flow vs bare embedding (overhead ratio), fine-tune s/epoch, drift check time."""
    settings = settings_for_cli()
    from flows.runtime import configure_local_prefect

    configure_local_prefect(settings.data_dir)  # Prefect state outlives the temporary index folders
    with tempfile.TemporaryDirectory(prefix="shoptalk-bench-flows-") as tmp:
        work = Path(tmp)
        from ml.embedding.sentence import SentenceEmbedder

        embedder = SentenceEmbedder(
            settings.embedding_model_path,
            batch_size=settings.embed_batch_size,
            threads=settings.torch_threads,
        )
        _ = embedder.dim
        console.print("· ingest flow vs bare embedding")
        ingest = _bench_ingest(catalog, limit, batch_size, embedder, work)
        console.print("· fine-tuning")
        finetune, embedded = _bench_finetune(catalog, limit, epochs, settings)
        console.print("· drift check")
        drift = _bench_drift(embedded, window)
    result = {
        "catalog": catalog,
        "torch_threads": settings.torch_threads,
        "ingest": ingest,
        "finetune": finetune,
        "drift": drift,
    }

    table = Table(title=f"ingest flow, {ingest['products']} products, batch {batch_size}")
    for column in (
        "bare embedding /s",
        "flow end-to-end /s",
        "overhead ratio (bare / flow)",
        "embedding share",
    ):
        table.add_column(column, justify="right")
    table.add_row(
        f"{ingest['bare_embedding_per_s']:.1f}",
        f"{ingest['flow_products_per_s']:.1f}",
        f"{ingest['pipeline_overhead_ratio']:.2f}",
        f"{ingest['embedding_share_of_flow']:.0%}",
    )
    out.print(table)
    table = Table(title=f"fine-tuning, {finetune['products']} products, {finetune['triplets']} triplets")
    for column in ("embed base (once) s", "mine s", "s / epoch", "epochs"):
        table.add_column(column, justify="right")
    table.add_row(
        f"{finetune['embed_base_s']:.2f}",
        f"{finetune['mine_s']:.2f}",
        f"{finetune['seconds_per_epoch']:.3f}",
        str(finetune["epochs"]),
    )
    out.print(table)
    table = Table(title=f"drift check, {drift['window']} current vs {drift['reference']} reference")
    for column in ("method", "seconds", "score", "detected"):
        table.add_column(column, justify="right")
    for method, row in drift["methods"].items():
        table.add_row(method, f"{row['seconds']:.3f}", f"{row['score']:.4f}", str(row["detected"]))
    out.print(table)
    write_json(json_out, result)


def register(app: Any) -> None:
    """Commands attach to ``bench_app`` (registered by ``services.cli.bench``)."""
