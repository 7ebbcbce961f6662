"""MLflow for the recommender: a run per training, registered model ``shoptalk-recommender``,
the ``champion`` alias moved only through the shared promotion gate.

The promoted model is also copied to ``data_dir/recommender/champion`` so the gateway loads it
without an MLflow client (the gateway image has none); MLflow stays the record of truth.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ml.logging import get_logger
from ml.recommend.ranker import RankerModel
from ml.recommend.training import GATE_METRIC, TrainResult, champion_dir
from ml.training.promotion import PromotionDecision, decide_promotion
from ml.training.registry import ModelRegistry

log = get_logger(__name__)
MODEL_NAME = "shoptalk-recommender"
EXPERIMENT = "shoptalk-recommender"
ARTIFACT = "recommender"
FIRST_MODEL_MARGIN = 0.01  # a first model must beat popularity NDCG@10 by this much


@dataclass
class Registered:
    version: str
    run_id: str
    decision: PromotionDecision

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.version, "run_id": self.run_id, "decision": self.decision.as_dict()}


def load_champion(data_dir: Path) -> RankerModel | None:
    folder = champion_dir(data_dir)
    if not (folder / "model.txt").is_file():
        return None
    return RankerModel.load(folder)


def gate(metrics: dict[str, float]) -> PromotionDecision:
    champion = metrics.get("champion_ndcg_at_10")
    base = metrics["popularity_ndcg_at_10"]
    return decide_promotion(
        candidate=metrics[GATE_METRIC],
        base=base,
        champion=champion,
        margin=0.0,  # at least as good as the champion
        min_score=base + FIRST_MODEL_MARGIN,
        metric="heldout ndcg@10",
        champion_name="champion recommender",
    )


def _install(model: RankerModel, data_dir: Path) -> Path:
    target = champion_dir(data_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".staging-"))
    model.save(staging)
    old = target.with_name("champion.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    if old.exists():
        shutil.rmtree(old)
    return target


def log_and_gate(
    result: TrainResult, tracking_uri: str, data_dir: Path, artifact_root: Path | None = None
) -> Registered:
    import mlflow

    registry = ModelRegistry(tracking_uri, MODEL_NAME, artifact_root)
    experiment = registry.experiment_id(EXPERIMENT)
    decision = gate(result.metrics)
    with mlflow.start_run(experiment_id=experiment, run_name="recommender") as run:
        mlflow.log_params({k: str(v)[:250] for k, v in result.params.items()})
        mlflow.log_metrics(result.metrics)
        mlflow.set_tags({"model": "lightgbm-lambdarank", "gate": decision.reason[:250]})
        with tempfile.TemporaryDirectory() as tmp:
            result.model.save(Path(tmp) / ARTIFACT)
            mlflow.log_artifacts(str(Path(tmp) / ARTIFACT), ARTIFACT)
        run_id = run.info.run_id
        artifact_uri = run.info.artifact_uri
    try:
        registry.client.get_registered_model(MODEL_NAME)
    except Exception:
        registry.client.create_registered_model(MODEL_NAME, description="ShopTalk 'for you' LightGBM ranker.")
    mv = registry.client.create_model_version(
        MODEL_NAME, source=f"{artifact_uri}/{ARTIFACT}", run_id=run_id, tags={"gate": decision.reason[:250]}
    )
    version = str(mv.version)
    if decision.promote:
        registry.set_champion(version)
        result.model.meta["version"] = version
        _install(result.model, data_dir)
    log.info("recommender.gate", version=version, promote=decision.promote, reason=decision.reason)
    return Registered(version, run_id, decision)
