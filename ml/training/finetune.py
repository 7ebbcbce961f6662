"""Fine-tuning steps (the Prefect flow in ``flows/finetune.py`` runs each one as a task).

prepare (catalog → products split by product → generated queries) → embed (frozen base
embeddings, once) → mine (hard negatives with the current champion) → train (adapter on
vectors) → evaluate (base, champion, candidate on the same held-out queries) → log + register
(MLflow) → gate (``champion`` alias only if the candidate wins; otherwise the reason is
recorded on the run, the version and the result).
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ml.catalog.document import document_text
from ml.catalog.product import Product
from ml.catalog.reader import read_catalog
from ml.config import Settings
from ml.embedding.adapter import Adapter, save_adapter
from ml.embedding.sentence import SentenceEmbedder
from ml.training.evaluate import EvalSet, build_eval_set, build_golden_eval_set, flat_metrics
from ml.training.promotion import PromotionDecision, decide_promotion, require_no_regression
from ml.training.queries import ShopperQuery, generate_queries
from ml.training.registry import EXPERIMENT, ModelRegistry
from ml.training.split import split_products
from ml.training.train import TrainConfig, TrainResult
from ml.training.triplets import TripletSet, mine_triplets

GATE_KEY = "hybrid"
GATE_METRIC_NAME = "ndcg@10"


@dataclass
class FinetuneConfig:
    catalog: str
    limit: int | None = None
    heldout_fraction: float = 0.2
    queries_per_product: int = 3
    negatives_per_anchor: int = 2
    split_seed: int = 0
    train: TrainConfig = field(default_factory=TrainConfig)
    promotion_margin: float = 0.005
    promotion_min_ndcg: float = 0.2
    k: int = 10
    golden_queries: str | None = None  # hand-judged queries: the candidate must not regress on them
    golden_qrels: str | None = None
    golden_tolerance: float = 0.0

    def params(self) -> dict[str, Any]:
        flat = {k: v for k, v in asdict(self).items() if k != "train"}
        flat.update({f"train_{k}": v for k, v in asdict(self.train).items()})
        return flat


@dataclass
class Prepared:
    products: list[Product]
    train_products: list[Product]
    heldout_products: list[Product]
    train_queries: list[ShopperQuery]
    heldout_queries: list[ShopperQuery]
    golden_queries: dict[str, str] = field(default_factory=dict)
    golden_qrels: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class Embedded:
    base_model: str
    doc_vectors: np.ndarray  # all products, base model
    train_query_vectors: np.ndarray
    heldout_query_vectors: np.ndarray
    seconds: float
    golden_query_vectors: np.ndarray | None = None


@dataclass
class FinetuneResult:
    run_id: str
    version: str
    adapter_version: str
    promoted: bool
    decision: PromotionDecision
    metrics: dict[str, dict[str, Any]]
    champion_before: str | None
    champion_after: str | None
    triplets: int
    epochs: int
    seconds_per_epoch: float
    train_loss: list[float]
    val_loss: list[float]
    reembed: dict[str, Any] | None = None
    best_epoch: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "mlflow_run_id": self.run_id,
            "registered_version": self.version,
            "adapter_version": self.adapter_version,
            "promoted": self.promoted,
            "decision": self.decision.as_dict(),
            "metrics": self.metrics,
            "champion_before": self.champion_before,
            "champion_after": self.champion_after,
            "triplets": self.triplets,
            "epochs": self.epochs,
            "best_epoch": self.best_epoch,
            "seconds_per_epoch": round(self.seconds_per_epoch, 3),
            "train_loss": [round(x, 5) for x in self.train_loss],
            "val_loss": [round(x, 5) for x in self.val_loss],
            "reembed": self.reembed,
        }


def prepare(config: FinetuneConfig) -> Prepared:
    products = read_catalog(config.catalog, limit=config.limit).products
    train, heldout = split_products(products, config.heldout_fraction, config.split_seed)
    if not train or not heldout:
        raise ValueError(f"catalog too small to split: {len(train)} train / {len(heldout)} held-out products")
    golden_queries: dict[str, str] = {}
    golden_qrels: dict[str, dict[str, int]] = {}
    if config.golden_queries and config.golden_qrels:
        from ml.evaluation.golden import load_qrels, load_queries

        golden_queries = load_queries(config.golden_queries)
        golden_qrels = load_qrels(config.golden_qrels)
    return Prepared(
        products=products,
        train_products=train,
        heldout_products=heldout,
        train_queries=generate_queries(train, config.queries_per_product, seed=config.split_seed),
        heldout_queries=generate_queries(heldout, config.queries_per_product, seed=config.split_seed + 1),
        golden_queries=golden_queries,
        golden_qrels=golden_qrels,
    )


def base_embedder(settings: Settings) -> SentenceEmbedder:
    """The frozen base model (the adapter trains on its output, whatever serves in production)."""
    return SentenceEmbedder(
        settings.embedding_model_path, batch_size=settings.embed_batch_size, threads=settings.torch_threads
    )


def embed(prepared: Prepared, embedder: SentenceEmbedder) -> Embedded:
    start = time.perf_counter()
    _ = embedder.dim  # loads the model outside embed_base's lock (it is not re-entrant)
    docs = [document_text(p) for p in prepared.products]
    train_q = [q.text for q in prepared.train_queries]
    heldout_q = [q.text for q in prepared.heldout_queries]
    golden_q = list(prepared.golden_queries.values())
    vectors = embedder.embed_base([*docs, *train_q, *heldout_q, *golden_q])
    a, b, c = len(docs), len(docs) + len(train_q), len(docs) + len(train_q) + len(heldout_q)
    return Embedded(
        embedder.base_name,
        vectors[:a],
        vectors[a:b],
        vectors[b:c],
        time.perf_counter() - start,
        golden_query_vectors=vectors[c:] if golden_q else None,
    )


def _doc_rows(prepared: Prepared, subset: list[Product]) -> np.ndarray:
    position = {p.item_id: i for i, p in enumerate(prepared.products)}
    return np.asarray([position[p.item_id] for p in subset], dtype=np.int64)


def mine(
    prepared: Prepared, embedded: Embedded, current: Adapter, negatives_per_anchor: int
) -> tuple[TripletSet, TripletSet, np.ndarray]:
    """Training and validation triplets; document indexes point into ``embedded.doc_vectors``.

    Returns ``(train, validation, query_vectors)`` where query vectors stack train then
    held-out base query embeddings (validation anchors are offset accordingly).
    """
    docs_current = current.apply(embedded.doc_vectors)

    def for_split(products: list[Product], queries: list[ShopperQuery], q_base: np.ndarray) -> TripletSet:
        rows = _doc_rows(prepared, products)
        local = mine_triplets(
            queries, current.apply(q_base), products, docs_current[rows], negatives_per_anchor
        )
        return TripletSet(
            local.anchors, rows[local.positives], rows[local.negatives], local.same_type_negatives
        )

    train = for_split(prepared.train_products, prepared.train_queries, embedded.train_query_vectors)
    val = for_split(prepared.heldout_products, prepared.heldout_queries, embedded.heldout_query_vectors)
    val.anchors = val.anchors + len(prepared.train_queries)
    queries = np.concatenate([embedded.train_query_vectors, embedded.heldout_query_vectors])
    return train, val, queries


def eval_set(prepared: Prepared, embedded: Embedded, k: int = 10) -> EvalSet:
    return build_eval_set(
        prepared.heldout_queries, embedded.heldout_query_vectors, prepared.products, embedded.doc_vectors, k=k
    )


def golden_eval_set(prepared: Prepared, embedded: Embedded, k: int = 10) -> EvalSet | None:
    if embedded.golden_query_vectors is None:
        return None
    return build_golden_eval_set(
        prepared.golden_queries,
        prepared.golden_qrels,
        embedded.golden_query_vectors,
        prepared.products,
        embedded.doc_vectors,
        k=k,
    )


def gate_value(metrics: dict[str, Any], k: int = 10) -> float:
    return float(metrics[GATE_KEY][f"ndcg@{k}"])


def log_and_register(
    registry: ModelRegistry,
    config: FinetuneConfig,
    trained: TrainResult,
    metrics: dict[str, dict[str, Any]],
    decision: PromotionDecision,
    extra_params: dict[str, Any],
    extra_tags: dict[str, str],
) -> tuple[str, str, str]:
    """One MLflow run (params, metrics, loss curves, adapter folder) + a registered version.

    Returns ``(run_id, version, adapter_version)``. The gate's outcome is tagged on the run and
    the version; the alias itself is set by the caller (:func:`apply_decision`).
    """
    import mlflow

    outcome = "promoted" if decision.promote else "blocked"
    with tempfile.TemporaryDirectory(prefix="shoptalk-adapter-") as tmp:
        folder = Path(tmp) / "adapter"
        adapter_version = save_adapter(
            trained.module,
            folder,
            {
                "base_model": extra_params.get("base_model"),
                "trained_on": config.catalog,
                "heldout_hybrid_ndcg_at_10": metrics["candidate"][GATE_KEY][f"ndcg@{config.k}"],
            },
        )
        with mlflow.start_run(experiment_id=registry.experiment_id(EXPERIMENT)) as run:
            mlflow.log_params({**config.params(), **extra_params})
            for name, result in metrics.items():
                if result:
                    mlflow.log_metrics(
                        flat_metrics(result, name if name.startswith("golden_") else f"heldout_{name}")
                    )
            for epoch, loss in enumerate(trained.train_loss):
                mlflow.log_metric("train_loss", loss, step=epoch)
            for epoch, loss in enumerate(trained.val_loss):
                mlflow.log_metric("val_loss", loss, step=epoch)
            for epoch, seconds in enumerate(trained.epoch_seconds):
                mlflow.log_metric("epoch_seconds", seconds, step=epoch)
            if trained.best_epoch is not None:
                mlflow.log_metric("best_epoch", trained.best_epoch)
            mlflow.log_artifacts(str(folder), artifact_path="adapter")
            mlflow.log_dict(
                {
                    "train_loss": trained.train_loss,
                    "val_loss": trained.val_loss,
                    "epoch_seconds": trained.epoch_seconds,
                },
                "curves.json",
            )
            mlflow.log_dict(decision.as_dict(), "promotion.json")
            mlflow.set_tags(
                {
                    "promotion": outcome,
                    "promotion_reason": decision.reason,
                    "adapter_version": adapter_version,
                    **extra_tags,
                }
            )
            run_id = run.info.run_id
            artifact_uri = run.info.artifact_uri
    version = registry.register(
        run_id,
        artifact_uri,
        tags={
            "promotion": outcome,
            "promotion_reason": decision.reason,
            "adapter_version": adapter_version,
            "heldout_hybrid_ndcg_at_10": str(decision.candidate),
        },
    )
    return run_id, version, adapter_version


def apply_decision(registry: ModelRegistry, version: str, decision: PromotionDecision) -> str | None:
    """Set the ``champion`` alias when the gate passed; returns the champion version after."""
    if decision.promote:
        registry.set_champion(version)
    return registry.champion_version()


def decide(
    config: FinetuneConfig, metrics: dict[str, dict[str, Any]], champion_version: str | None
) -> PromotionDecision:
    champion = metrics.get("champion")
    decision = decide_promotion(
        candidate=gate_value(metrics["candidate"], config.k),
        base=gate_value(metrics["base"], config.k),
        champion=gate_value(champion, config.k) if champion else None,
        margin=config.promotion_margin,
        min_score=config.promotion_min_ndcg,
        metric=f"held-out hybrid ndcg@{config.k}",
        champion_name=f"champion v{champion_version}" if champion_version else "champion",
    )
    if "golden_candidate" in metrics:
        reference = metrics["golden_champion"] if champion else metrics["golden_base"]
        decision = require_no_regression(
            decision,
            gate_value(metrics["golden_candidate"], config.k),
            gate_value(reference, config.k),
            config.golden_tolerance,
            f"golden hybrid ndcg@{config.k} ({metrics['golden_candidate']['queries']} hand-judged queries)",
        )
    return decision


def summary_json(result: FinetuneResult) -> str:
    return json.dumps(result.as_dict(), indent=2)
