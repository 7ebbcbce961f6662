"""Train, evaluate, log and gate the intent classifier (``shoptalk train intents``).

train split → base MiniLM embeddings → softmax regression → held-out test split: per-intent
precision/recall/F1, macro-F1, accuracy, confusion matrix, latency → one MLflow run (params,
metrics, confusion matrix, misclassified rows, the model folder) → a registered version of
``settings.intent_model_name`` → the gate of :mod:`ml.training.promotion`: the candidate becomes
``champion`` only when its held-out macro-F1 is at least the champion's (the champion is
re-scored on the same test rows); with no champion, only when it reaches ``min_macro_f1``
(0.90). A blocked candidate stays registered with the reason on the run and the version.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ml.config import Settings
from ml.logging import get_logger
from ml.training.promotion import PromotionDecision, decide_promotion
from ml.understanding.intent_data import DATA_PATH, IntentExample, file_sha256, load_examples
from ml.understanding.intent_model import IntentClassifier, TrainConfig
from ml.understanding.intent_registry import INTENT_ARTIFACT, INTENT_EXPERIMENT, cache_root, intent_registry
from ml.understanding.types import Intent

if TYPE_CHECKING:
    from ml.embedding.sentence import SentenceEmbedder
    from ml.training.registry import ModelRegistry

log = get_logger(__name__)

MIN_MACRO_F1 = 0.90  # the first model's bar
GATE_MARGIN = 0.0  # a candidate needs macro-F1 >= the champion's
GATE_METRIC = "test_macro_f1"

Progress = Callable[[int, int], None]


@dataclass
class IntentTrainConfig:
    data: str = str(DATA_PATH)
    min_macro_f1: float = MIN_MACRO_F1
    margin: float = GATE_MARGIN
    model: TrainConfig = field(default_factory=TrainConfig)
    latency_samples: int = 50

    def params(self) -> dict[str, Any]:
        flat: dict[str, Any] = {k: v for k, v in asdict(self).items() if k != "model"}
        flat.update({f"model_{k}": v for k, v in self.model.params().items()})
        return flat


@dataclass
class IntentTrainResult:
    run_id: str
    version: str
    model_version: str
    promoted: bool
    decision: PromotionDecision
    metrics: dict[str, Any]
    champion_before: str | None
    champion_after: str | None
    champion_metrics: dict[str, Any] | None
    rows: dict[str, int]
    latency: dict[str, float]
    seconds: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["decision"] = self.decision.as_dict()
        return out


# ---------------------------------------------------------------------------- data + embeddings
def split(examples: Sequence[IntentExample]) -> tuple[list[IntentExample], list[IntentExample]]:
    train = [e for e in examples if e.split == "train"]
    test = [e for e in examples if e.split == "test"]
    return train, test


def embed_texts(
    embedder: SentenceEmbedder, texts: Sequence[str], progress: Progress | None = None, batch: int = 256
) -> np.ndarray:
    """Base (adapter-free) embeddings in batches, reporting progress."""
    _ = embedder.dim  # load the model outside embed_base's lock
    parts = []
    for start in range(0, len(texts), batch):
        parts.append(embedder.embed_base(list(texts[start : start + batch])))
        if progress is not None:
            progress(min(start + batch, len(texts)), len(texts))
    return np.concatenate(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)


# ---------------------------------------------------------------------------- metrics
def classification_metrics(truth: Sequence[Intent], predicted: Sequence[Intent]) -> dict[str, Any]:
    """Per-intent precision/recall/F1/support, macro-F1, accuracy and the confusion matrix."""
    labels = list(Intent)
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)  # rows: truth, columns: predicted
    for t, p in zip(truth, predicted, strict=True):
        matrix[index[t], index[p]] += 1
    per_intent: dict[str, dict[str, float]] = {}
    for i, label in enumerate(labels):
        tp = int(matrix[i, i])
        predicted_n = int(matrix[:, i].sum())
        support = int(matrix[i, :].sum())
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label.value] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    present = [v for v in per_intent.values() if v["support"] > 0]
    total = int(matrix.sum())
    return {
        "macro_f1": float(np.mean([v["f1"] for v in present])) if present else 0.0,
        "accuracy": float(np.trace(matrix) / total) if total else 0.0,
        "rows": total,
        "per_intent": per_intent,
        "confusion": {"labels": [label.value for label in labels], "matrix": matrix.tolist()},
    }


def evaluate(
    model: IntentClassifier, vectors: np.ndarray, examples: Sequence[IntentExample], max_errors: int = 200
) -> dict[str, Any]:
    texts = [e.text for e in examples]
    predictions = model.predict_vectors(vectors, texts)
    truth = [e.intent for e in examples]
    metrics = classification_metrics(truth, [p[0] for p in predictions])
    metrics["errors"] = [
        {"text": e.text, "intent": e.intent.value, "predicted": p[0].value, "confidence": round(p[1], 4)}
        for e, p in zip(examples, predictions, strict=True)
        if p[0] != e.intent
    ][:max_errors]
    return metrics


def majority_baseline(train: Sequence[IntentExample], test: Sequence[IntentExample]) -> float:
    """Macro-F1 of always answering the most common training intent (what "no model" scores)."""
    counts: dict[Intent, int] = {}
    for e in train:
        counts[e.intent] = counts.get(e.intent, 0) + 1
    majority = max(counts, key=lambda k: counts[k]) if counts else Intent.search
    return float(classification_metrics([e.intent for e in test], [majority] * len(test))["macro_f1"])


def measure_latency(model: IntentClassifier, texts: Sequence[str], samples: int) -> dict[str, float]:
    """Per-message wall time after load: embed + classify, and classify alone (vector given)."""
    picked = list(texts[:samples])
    if not picked:
        return {}
    model.predict(picked[:1])  # warm-up
    full, classify = [], []
    for text in picked:
        start = time.perf_counter()
        vector = model.embedder.embed_base([text])
        middle = time.perf_counter()
        model.predict_vectors(vector, [text])
        end = time.perf_counter()
        full.append((end - start) * 1000)
        classify.append((end - middle) * 1000)
    return {
        "predict_ms_p50": float(np.percentile(full, 50)),
        "predict_ms_p95": float(np.percentile(full, 95)),
        "classify_ms_p50": float(np.percentile(classify, 50)),
        "classify_ms_p95": float(np.percentile(classify, 95)),
    }


# ---------------------------------------------------------------------------- gate + registry
def decide(
    candidate: float,
    baseline: float,
    champion: float | None,
    champion_version: str | None,
    config: IntentTrainConfig,
) -> PromotionDecision:
    return decide_promotion(
        candidate=candidate,
        base=baseline,
        champion=champion,
        margin=config.margin,
        min_score=config.min_macro_f1,
        metric="held-out intent macro-F1",
        champion_name=f"champion v{champion_version}" if champion_version else "champion",
    )


def _flat(metrics: dict[str, Any], prefix: str) -> dict[str, float]:
    out = {f"{prefix}_macro_f1": float(metrics["macro_f1"]), f"{prefix}_accuracy": float(metrics["accuracy"])}
    for intent, values in metrics["per_intent"].items():
        for key in ("precision", "recall", "f1"):
            out[f"{prefix}_{intent}_{key}"] = float(values[key])
    return out


def log_and_register(
    registry: ModelRegistry,
    model: IntentClassifier,
    config: IntentTrainConfig,
    test_metrics: dict[str, Any],
    train_metrics: dict[str, Any],
    champion_metrics: dict[str, Any] | None,
    decision: PromotionDecision,
    extra_params: dict[str, Any],
    extra_metrics: dict[str, float],
) -> tuple[str, str]:
    """One MLflow run + a registered version; returns ``(run_id, version)``."""
    import tempfile

    import mlflow

    with tempfile.TemporaryDirectory(prefix="shoptalk-intents-") as tmp:
        folder = model.save(
            Path(tmp) / INTENT_ARTIFACT,
            {
                "test_macro_f1": test_metrics["macro_f1"],
                "test_per_intent": test_metrics["per_intent"],
                "dataset_sha256": extra_params.get("dataset_sha256"),
            },
        )
        with mlflow.start_run(experiment_id=registry.experiment_id(INTENT_EXPERIMENT)) as run:
            mlflow.log_params({**config.params(), **extra_params})
            mlflow.log_metrics(_flat(test_metrics, "test"))
            mlflow.log_metrics(_flat(train_metrics, "train"))
            if champion_metrics is not None:
                mlflow.log_metrics(_flat(champion_metrics, "champion_test"))
            mlflow.log_metrics(extra_metrics)
            mlflow.log_artifacts(str(folder), artifact_path=INTENT_ARTIFACT)
            mlflow.log_dict(test_metrics["confusion"], "confusion_matrix.json")
            mlflow.log_text(confusion_table(test_metrics), "confusion_matrix.txt")
            summary = {k: v for k, v in test_metrics.items() if k not in {"errors", "confusion"}}
            mlflow.log_dict(summary, "test_metrics.json")
            mlflow.log_dict({"errors": test_metrics["errors"]}, "test_errors.json")
            mlflow.log_dict(decision.as_dict(), "promotion.json")
            mlflow.set_tags(decision.tags(intent_model_version=model.version))
            run_id = run.info.run_id
            artifact_uri = run.info.artifact_uri
    tags = decision.tags(intent_model_version=model.version, test_macro_f1=f"{test_metrics['macro_f1']:.4f}")
    version = registry.register(run_id, artifact_uri, tags=tags, artifact=INTENT_ARTIFACT)
    return run_id, version


def confusion_table(metrics: dict[str, Any]) -> str:
    """Rows are the true intent, columns the predicted one (short names keep it within 80 columns)."""
    labels = metrics["confusion"]["labels"]
    short = [_SHORT.get(label, label[:7]) for label in labels]
    lines = ["truth \\ predicted".ljust(18) + "".join(s.rjust(8) for s in short)]
    for label, row in zip(labels, metrics["confusion"]["matrix"], strict=True):
        lines.append(label.ljust(18) + "".join(str(v).rjust(8) for v in row))
    return "\n".join(lines) + "\n"


_SHORT = {"ask_about": "ask", "chit_chat": "chat", "out_of_scope": "oos"}


# ---------------------------------------------------------------------------- the whole job
def _champion(
    registry: ModelRegistry, settings: Settings, embedder: SentenceEmbedder
) -> tuple[str | None, IntentClassifier | None, float | None]:
    """(version, loaded model or None, recorded macro-F1) of the current champion."""
    from ml.understanding.intent_registry import load_version

    version = registry.champion_version()
    if version is None:
        return None, None, None
    recorded = None
    try:
        mv = registry.client.get_model_version(registry.model_name, version)
        if mv.run_id:
            recorded = registry.client.get_run(mv.run_id).data.metrics.get(GATE_METRIC)
    except Exception as exc:  # the metric is only a fallback
        log.warning("intents.champion_metric_missing", version=version, error=str(exc))
    try:
        return version, load_version(registry, version, cache_root(settings), embedder), recorded
    except Exception as exc:
        log.warning("intents.champion_unloadable", version=version, error=str(exc))
        return version, None, recorded


def train_intents(
    settings: Settings,
    config: IntentTrainConfig | None = None,
    embedder: SentenceEmbedder | None = None,
    progress: Progress | None = None,
) -> IntentTrainResult:
    """Train on the train split, evaluate on test, log + register, gate ``champion``."""
    from ml.embedding.sentence import SentenceEmbedder
    from ml.training.finetune import apply_decision

    config = config or IntentTrainConfig()
    embedder = embedder or SentenceEmbedder(
        settings.embedding_model_path, batch_size=settings.embed_batch_size, threads=settings.torch_threads
    )
    data = Path(config.data)
    examples = load_examples(data)
    train, test = split(examples)
    if not train or not test:
        raise ValueError(f"{data} needs both a train and a test split ({len(train)} / {len(test)} rows)")
    registry = intent_registry(settings)
    seconds: dict[str, float] = {}

    start = time.perf_counter()
    vectors = embed_texts(embedder, [e.text for e in examples], progress)
    seconds["embed"] = time.perf_counter() - start
    train_idx = [i for i, e in enumerate(examples) if e.split == "train"]
    test_idx = [i for i, e in enumerate(examples) if e.split == "test"]

    start = time.perf_counter()
    model = IntentClassifier.train(
        [e.text for e in train],
        vectors[train_idx],
        [e.intent for e in train],
        config.model,
        embedder_version=embedder.base_name,
        embedder=embedder,
    )
    seconds["fit"] = time.perf_counter() - start
    test_metrics = evaluate(model, vectors[test_idx], test)
    train_metrics = evaluate(model, vectors[train_idx], train, max_errors=0)
    baseline = majority_baseline(train, test)

    champion_version, champion, recorded = _champion(registry, settings, embedder)
    champion_metrics = None
    champion_score = None
    if champion is not None and champion.embedding_dim == vectors.shape[1]:
        champion_metrics = evaluate(champion, vectors[test_idx], test, max_errors=0)
        champion_score = float(champion_metrics["macro_f1"])
    elif champion_version is not None:
        # Unloadable or another embedder: its own recorded score is the reference; no
        # recorded score either → 1.0, so nothing silently replaces a champion we cannot judge.
        champion_score = float(recorded) if recorded is not None else 1.0
    decision = decide(float(test_metrics["macro_f1"]), baseline, champion_score, champion_version, config)

    latency = measure_latency(model, [e.text for e in test], config.latency_samples)
    extra_params = {
        "dataset": str(data),
        "dataset_sha256": file_sha256(data),
        "train_rows": len(train),
        "test_rows": len(test),
        "embedder_version": embedder.base_name,
        "champion_before": champion_version,
    }
    extra_metrics = {
        "baseline_majority_macro_f1": baseline,
        "embed_seconds": seconds["embed"],
        "fit_seconds": seconds["fit"],
        **{f"latency_{k}": v for k, v in latency.items()},
    }
    run_id, version = log_and_register(
        registry,
        model,
        config,
        test_metrics,
        train_metrics,
        champion_metrics,
        decision,
        extra_params,
        extra_metrics,
    )
    champion_after = apply_decision(registry, version, decision)
    log.info(
        "intents.trained",
        version=version,
        macro_f1=round(test_metrics["macro_f1"], 4),
        promoted=decision.promote,
        reason=decision.reason,
    )
    return IntentTrainResult(
        run_id=run_id,
        version=version,
        model_version=model.version,
        promoted=decision.promote,
        decision=decision,
        metrics={"test": test_metrics, "train": {k: v for k, v in train_metrics.items() if k != "errors"}},
        champion_before=champion_version,
        champion_after=champion_after,
        champion_metrics=(
            {k: v for k, v in champion_metrics.items() if k != "errors"} if champion_metrics else None
        ),
        rows={"train": len(train), "test": len(test)},
        latency=latency,
        seconds=seconds,
    )
