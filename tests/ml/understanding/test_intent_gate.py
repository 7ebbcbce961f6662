"""The intent model's registry gate and champion loader, against a temporary SQLite MLflow."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from mlflow import MlflowClient
from typer.testing import CliRunner

from ml.config import Settings, get_settings
from ml.training.intents import IntentTrainConfig, IntentTrainResult, train_intents
from ml.understanding.intent_data import IntentExample, load_examples, write_jsonl
from ml.understanding.intent_registry import cache_root, load_champion_intent_model
from ml.understanding.types import Intent
from tests.ml.understanding.intent_support import caching_embedder, committed

pytestmark = pytest.mark.slow  # real MiniLM embeddings of the committed set (shared with the model tests)


def _subset(rows: list[IntentExample], per_intent: int, shuffle_labels: bool = False) -> list[IntentExample]:
    """``per_intent`` train rows of each intent + the whole test split (the gate's common ground)."""
    rng = random.Random(per_intent)
    train = []
    for intent in Intent:
        mine = [r for r in rows if r.split == "train" and r.intent == intent]
        train.extend(rng.sample(mine, per_intent))
    if shuffle_labels:
        labels = [r.intent for r in train]
        rng.shuffle(labels)
        train = [
            IntentExample(r.text, label, r.split, r.source, r.group)
            for r, label in zip(train, labels, strict=True)
        ]
    return train + [r for r in rows if r.split == "test"]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Four trainings in one registry: noise (first), small, noise again, bigger."""
    rows, _ = committed()  # embeds every committed text once (memoised)
    root = tmp_path_factory.mktemp("intent-gate")
    settings = Settings(data_dir=root / "data")
    data = {
        "noise": write_jsonl(_subset(rows, 60, shuffle_labels=True), root / "noise.jsonl"),
        "small": write_jsonl(_subset(rows, 12), root / "small.jsonl"),
        "big": write_jsonl(_subset(rows, 250), root / "big.jsonl"),
    }
    embedder: Any = caching_embedder()
    before = load_champion_intent_model(settings, embedder)

    def run(name: str, min_f1: float = 0.90) -> IntentTrainResult:
        config = IntentTrainConfig(data=str(data[name]), min_macro_f1=min_f1, latency_samples=5)
        return train_intents(settings, config, embedder=embedder)

    results = {"first_noise": run("noise")}
    results["small"] = run("small", min_f1=0.3)
    loaded_small = load_champion_intent_model(settings, embedder)
    results["noise_vs_champion"] = run("noise")
    results["big"] = run("big")
    loaded_big = load_champion_intent_model(settings, embedder)
    return {
        "settings": settings,
        "results": results,
        "before": before,
        "loaded_small": loaded_small,
        "loaded_big": loaded_big,
    }


def test_first_model_must_reach_the_bar(history: dict[str, Any]) -> None:
    assert history["before"] is None  # nothing registered yet: the loader says so
    first = history["results"]["first_noise"]
    assert first.version == "1" and first.champion_before is None
    assert first.promoted is False and first.champion_after is None
    assert first.metrics["test"]["macro_f1"] < 0.5
    assert "below the minimum bar 0.9000" in first.decision.reason


def test_worse_candidate_does_not_replace_the_champion(history: dict[str, Any]) -> None:
    small, noise = history["results"]["small"], history["results"]["noise_vs_champion"]
    assert small.promoted and small.champion_after == small.version == "2"
    assert noise.promoted is False
    assert noise.champion_before == "2" and noise.champion_after == "2"
    assert noise.champion_metrics is not None  # the champion was re-scored on the same test rows
    assert noise.champion_metrics["macro_f1"] == pytest.approx(small.metrics["test"]["macro_f1"])
    assert "does not beat champion v2" in noise.decision.reason

    client = MlflowClient(tracking_uri=history["settings"].resolved_mlflow_uri)
    run = client.get_run(noise.run_id)
    assert run.data.tags["promotion"] == "blocked"
    assert run.data.tags["promotion_reason"] == noise.decision.reason
    assert run.data.metrics["test_macro_f1"] == pytest.approx(noise.metrics["test"]["macro_f1"])
    assert "test_search_f1" in run.data.metrics and "champion_test_macro_f1" in run.data.metrics
    artifacts = {a.path for a in client.list_artifacts(noise.run_id)}
    assert {"intent_model", "confusion_matrix.json", "promotion.json", "test_errors.json"} <= artifacts
    version = client.get_model_version(get_settings().intent_model_name, noise.version)
    assert version.tags["promotion"] == "blocked"


def test_better_candidate_replaces_the_champion(history: dict[str, Any]) -> None:
    small, big = history["results"]["small"], history["results"]["big"]
    assert big.metrics["test"]["macro_f1"] > small.metrics["test"]["macro_f1"]
    assert big.promoted and big.champion_before == "2" and big.champion_after == big.version == "4"
    assert big.decision.reason.startswith("promoted")
    assert big.latency["classify_ms_p50"] < 20


def test_loader_reads_the_champion_and_caches_it(history: dict[str, Any]) -> None:
    settings: Settings = history["settings"]
    small, big = history["loaded_small"], history["loaded_big"]
    assert small is not None and small.meta["registry_version"] == "2"
    assert big is not None and big.meta["registry_version"] == "4"
    assert big.version == history["results"]["big"].model_version
    cached = cache_root(settings)
    assert (cached / "v2").is_dir() and (cached / "v4").is_dir()
    intent, _, _ = big.predict(["where is my order?"])[0]
    assert intent == Intent.service

    # Registry unreachable (its database path sits under a plain file): the newest cached version serves.
    blocker = settings.data_dir / "not-a-dir"
    blocker.write_text("x")
    broken = settings.model_copy(update={"mlflow_tracking_uri": f"sqlite:///{blocker}/mlflow.db"})
    fallback = load_champion_intent_model(broken, caching_embedder())
    assert fallback is not None and fallback.meta["registry_version"] == "4"

    # A tampered cache is dropped and downloaded again from the registry.
    weights = cached / "v4" / "intent_model.npz"
    weights.write_bytes(weights.read_bytes()[:-10] + b"0123456789")
    again = load_champion_intent_model(settings, caching_embedder())
    assert again is not None and again.version == big.version


def test_cli_trains_prints_the_table_and_says_blocked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = load_examples()
    rng = random.Random(0)
    tiny = []
    for intent in Intent:
        tiny += rng.sample([r for r in rows if r.intent == intent and r.split == "train"], 6)
        tiny += rng.sample([r for r in rows if r.intent == intent and r.split == "test"], 3)
    data = write_jsonl(tiny, tmp_path / "tiny.jsonl")
    monkeypatch.setenv("SHOPTALK_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        from services.cli import app

        out = tmp_path / "result.json"
        result = CliRunner().invoke(
            app, ["train", "intents", "--data", str(data), "--min-f1", "0.99", "--json", str(out)]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    for word in ("held-out intents (21 rows)", "macro", "chit_chat", "truth \\ predicted", "latency"):
        assert word in result.output
    assert "blocked" in result.output and "below the minimum bar 0.9900" in result.output
    summary = json.loads(out.read_text())
    assert summary["promoted"] is False and summary["version"] == "1" and summary["champion_after"] is None
    assert set(summary["metrics"]["test"]["per_intent"]) == {i.value for i in Intent}
