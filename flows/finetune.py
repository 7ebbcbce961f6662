"""The fine-tuning flow: triplets → adapter → held-out eval → MLflow → gated ``champion``.

Each step of :mod:`ml.training.finetune` is a Prefect task and a lineage stage. When the
candidate is promoted and ``reembed_catalog`` is given, the flow triggers the re-embed
(:func:`flows.ingest.reembed_after_promotion`) so the indexes carry the new model version.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.runtime import prefect_flow_run_id, unvisited
from ml.config import Settings, get_settings
from ml.embedding.adapter import Adapter
from ml.lineage import COMPLETED, LineageStore, StageTimer, track_run
from ml.logging import get_logger
from ml.paths import GOLDEN_QRELS, GOLDEN_QUERIES, SAMPLE_CATALOG
from ml.training import finetune as ft
from ml.training.evaluate import EvalSet, evaluate_adapter
from ml.training.registry import ModelRegistry
from ml.training.train import TrainConfig, TrainResult, train_adapter
from ml.training.triplets import TripletSet

log = get_logger(__name__)


@task(name="prepare-queries", cache_policy=NO_CACHE, persist_result=False)
def prepare_task(config: ft.FinetuneConfig) -> ft.Prepared:
    return ft.prepare(config)


@task(name="embed-base", cache_policy=NO_CACHE, persist_result=False)
def embed_task(prepared: ft.Prepared, settings: Settings) -> ft.Embedded:
    return ft.embed(prepared, ft.base_embedder(settings))


@task(name="load-champion", cache_policy=NO_CACHE, persist_result=False)
def champion_task(registry: ModelRegistry) -> tuple[str, Adapter] | None:
    return registry.load_champion()


@task(name="mine-triplets", cache_policy=NO_CACHE, persist_result=False)
def mine_task(
    prepared: ft.Prepared, embedded: ft.Embedded, current: Adapter, negatives: int
) -> tuple[TripletSet, TripletSet, np.ndarray]:
    return ft.mine(prepared, embedded, current, negatives)


@task(name="train-adapter", cache_policy=NO_CACHE, persist_result=False)
def train_task(
    queries: np.ndarray, docs: np.ndarray, train: TripletSet, val: TripletSet, config: TrainConfig
) -> TrainResult:
    return train_adapter(queries, docs, train, val, config)


@task(name="heldout-eval", cache_policy=NO_CACHE, persist_result=False)
def eval_task(eval_set: EvalSet, adapters: dict[str, Adapter]) -> dict[str, dict[str, Any]]:
    return {name: evaluate_adapter(eval_set, adapter) for name, adapter in adapters.items()}


@task(name="build-eval-set", cache_policy=NO_CACHE, persist_result=False)
def eval_set_task(prepared: ft.Prepared, embedded: ft.Embedded, k: int) -> EvalSet:
    return ft.eval_set(prepared, embedded, k)


@task(name="build-golden-set", cache_policy=NO_CACHE, persist_result=False)
def golden_set_task(prepared: ft.Prepared, embedded: ft.Embedded, k: int) -> EvalSet | None:
    return ft.golden_eval_set(prepared, embedded, k)


@task(name="register-and-gate", cache_policy=NO_CACHE, persist_result=False)
def register_task(
    registry: ModelRegistry,
    config: ft.FinetuneConfig,
    trained: TrainResult,
    metrics: dict[str, dict[str, Any]],
    champion_version: str | None,
    extra_params: dict[str, Any],
    tags: dict[str, str],
) -> tuple[str, str, str, ft.PromotionDecision, str | None]:
    decision = ft.decide(config, metrics, champion_version)
    run_id, version, adapter_version = ft.log_and_register(
        registry, config, trained, metrics, decision, extra_params, tags
    )
    champion_after = ft.apply_decision(registry, version, decision)
    return run_id, version, adapter_version, decision, champion_after


def run_finetune(
    settings: Settings, config: ft.FinetuneConfig, reembed_catalog: str | None = None
) -> ft.FinetuneResult:
    """The flow body (call inside a Prefect flow)."""
    store = LineageStore.for_settings(settings)
    registry = ModelRegistry.from_settings(settings)
    with track_run(store, "finetune", config.params(), orchestrator_run_id=prefect_flow_run_id()) as run_id:
        stage = StageTimer(store, run_id, "prepare")
        prepared = prepare_task(config)
        stage.done(
            records_in=len(prepared.products),
            records_out=len(prepared.train_queries),
            skipped=len(prepared.heldout_products),
            detail=f"{len(prepared.train_products)} train / {len(prepared.heldout_products)} held-out "
            f"products; {len(prepared.heldout_queries)} held-out queries",
        )

        stage = StageTimer(store, run_id, "embed-base")
        embedded = embed_task(unvisited(prepared), settings)
        texts = len(prepared.products) + len(prepared.train_queries) + len(prepared.heldout_queries)
        stage.done(records_in=texts, records_out=texts, model_version=embedded.base_model)

        champion = champion_task(registry)
        champion_version, current = champion if champion else (None, Adapter.identity())
        store.set_model_version(run_id, f"{embedded.base_model}+{current.version}")

        stage = StageTimer(store, run_id, "mine-triplets", f"{embedded.base_model}+{current.version}")
        train, val, query_vectors = mine_task(
            unvisited(prepared), unvisited(embedded), current, config.negatives_per_anchor
        )
        stage.done(
            records_in=len(prepared.train_queries),
            records_out=len(train),
            detail=f"{train.same_type_negatives} anchors with same-type negatives; {len(val)} val triplets",
        )

        stage = StageTimer(store, run_id, "train")
        trained = train_task(
            unvisited(query_vectors),
            unvisited(embedded.doc_vectors),
            unvisited(train),
            unvisited(val),
            config.train,
        )
        stage.done(
            records_in=len(train),
            records_out=config.train.epochs,
            detail=f"loss {trained.train_loss[0]:.4f} → {trained.train_loss[-1]:.4f}",
        )

        stage = StageTimer(store, run_id, "heldout-eval")
        held = eval_set_task(unvisited(prepared), unvisited(embedded), config.k)
        golden = golden_set_task(unvisited(prepared), unvisited(embedded), config.k)
        candidate = Adapter(trained.module, "candidate")
        adapters = {"base": Adapter.identity(), "candidate": candidate}
        if champion_version is not None:
            adapters["champion"] = current
        metrics = eval_task(unvisited(held), adapters)
        if golden is not None:
            golden_metrics = eval_task(unvisited(golden), adapters)
            metrics.update({f"golden_{name}": result for name, result in golden_metrics.items()})
        stage.done(
            records_in=len(held.queries),
            records_out=len(adapters),
            detail="; ".join(
                f"{n} hybrid ndcg@{config.k} {ft.gate_value(m, config.k):.4f}" for n, m in metrics.items()
            ),
        )

        stage = StageTimer(store, run_id, "register-and-gate")
        mlflow_run, version, adapter_version, decision, champion_after = register_task(
            registry,
            config,
            unvisited(trained),
            metrics,
            champion_version,
            {"base_model": embedded.base_model, "triplets": len(train), "champion_before": champion_version},
            {"lineage_run_id": run_id},
        )
        stage.done(
            status="ok" if decision.promote else "blocked",
            records_in=1,
            records_out=1 if decision.promote else 0,
            model_version=adapter_version,
            detail=decision.reason,
        )

        reembed = None
        if decision.promote and reembed_catalog:
            from flows.ingest import reembed_after_promotion

            stage = StageTimer(store, run_id, "reembed")
            reembed = reembed_after_promotion(settings, reembed_catalog)
            stage.done(
                status=str(reembed.get("status")),
                records_out=int(reembed.get("embedded", 0)),
                detail=str(reembed.get("reason") or reembed.get("lineage_run_id", "")),
            )

        seconds = trained.epoch_seconds
        result = ft.FinetuneResult(
            run_id=mlflow_run,
            version=version,
            adapter_version=adapter_version,
            promoted=decision.promote,
            decision=decision,
            metrics=metrics,
            champion_before=champion_version,
            champion_after=champion_after,
            triplets=len(train),
            epochs=len(trained.train_loss),
            seconds_per_epoch=sum(seconds) / len(seconds) if seconds else 0.0,
            train_loss=trained.train_loss,
            val_loss=trained.val_loss,
            reembed=reembed,
            best_epoch=trained.best_epoch,
        )
        summary = result.as_dict()
        summary["lineage_run_id"] = run_id
        store.finish_run(run_id, COMPLETED, summary)
        log.info("finetune.done", promoted=decision.promote, reason=decision.reason, version=version)
        return result


@flow(name="shoptalk-finetune", persist_result=False, log_prints=False)
def finetune_flow(
    catalog: str = str(SAMPLE_CATALOG),
    epochs: int = 8,
    limit: int | None = None,
    promotion_margin: float | None = None,
    promotion_min_ndcg: float | None = None,
    reembed_catalog: str | None = None,
    golden: bool = True,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Train an adapter on the catalog, evaluate it, register it, promote it only if it wins."""
    settings = settings or get_settings()
    config = ft.FinetuneConfig(
        catalog=catalog,
        limit=limit,
        train=TrainConfig(epochs=epochs),
        promotion_margin=settings.promotion_margin if promotion_margin is None else promotion_margin,
        promotion_min_ndcg=settings.promotion_min_ndcg if promotion_min_ndcg is None else promotion_min_ndcg,
        golden_queries=str(GOLDEN_QUERIES) if golden and GOLDEN_QUERIES.is_file() else None,
        golden_qrels=str(GOLDEN_QRELS) if golden and GOLDEN_QRELS.is_file() else None,
    )
    return run_finetune(settings, config, reembed_catalog).as_dict()
