"""The fine-tuning flow end to end on MLflow/SQLite: gated promotion, rollback, re-embed trigger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import structlog
from mlflow import MlflowClient
from typer.testing import CliRunner

from flows.finetune import finetune_flow
from flows.ingest import IngestComponents, ingest_flow
from ml.config import Settings, get_settings
from ml.embedding.adapter import load_adapter
from ml.lineage import LineageStore
from ml.retrieval.factory import build_keyword_index, build_vector_index


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("finetune"))


@pytest.fixture(scope="module")
def promoted(prefect_api_url: str, small_catalog: Path, embedder: Any, workspace: Settings) -> dict[str, Any]:
    """Index the catalog with the base model, then fine-tune with a gate any candidate passes."""
    parts = IngestComponents(
        embedder, build_keyword_index(workspace), build_vector_index(workspace, embedder.dim)
    )
    try:
        ingest_flow(catalog=str(small_catalog), batch_size=64, settings=workspace, components=parts)
    finally:
        parts.vector.close()  # type: ignore[attr-defined]
    return finetune_flow(
        catalog=str(small_catalog),
        epochs=3,
        promotion_margin=-1.0,
        promotion_min_ndcg=0.0,
        reembed_catalog=str(small_catalog),
        settings=workspace,
    )


def test_promotion_sets_champion_and_registered_adapter_loads(
    promoted: dict[str, Any], workspace: Settings
) -> None:
    assert promoted["promoted"] is True
    assert promoted["champion_before"] is None
    assert promoted["champion_after"] == promoted["registered_version"] == "1"
    assert promoted["decision"]["reference_name"].startswith("base model")
    assert len(promoted["train_loss"]) == 3 and promoted["triplets"] > 0
    assert promoted["train_loss"][-1] < promoted["train_loss"][0]
    for name in ("base", "candidate"):
        assert 0.0 < promoted["metrics"][name]["hybrid"]["ndcg@10"] <= 1.0

    adapter = load_adapter(
        f"models:/{workspace.registered_model_name}@champion", workspace.resolved_mlflow_uri
    )
    assert adapter.version == promoted["adapter_version"]
    assert not adapter.is_identity
    x = np.eye(4, adapter.meta["dim"], dtype=np.float32)
    assert not np.allclose(adapter.apply(x), x, atol=1e-4)  # trained weights, not the zero init

    client = MlflowClient(workspace.resolved_mlflow_uri)
    run = client.get_run(promoted["mlflow_run_id"])
    assert run.data.tags["promotion"] == "promoted"
    assert "heldout_candidate_hybrid_ndcg_at_10" in run.data.metrics
    assert [m.step for m in client.get_metric_history(run.info.run_id, "train_loss")] == [0, 1, 2]
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id, "adapter")}
    assert artifacts == {"adapter/adapter.json", "adapter/adapter.pt"}
    assert str(workspace.data_dir.resolve()) in run.info.artifact_uri  # local artifacts under the data dir


def test_promotion_triggers_reembed_with_the_new_model_version(
    promoted: dict[str, Any], workspace: Settings
) -> None:
    reembed = promoted["reembed"]
    assert reembed["status"] == "completed"
    new_version = f"all-MiniLM-L6-v2+{promoted['adapter_version']}"
    assert reembed["model_version"] == new_version
    assert reembed["embedded"] == reembed["products"]  # every product was stale
    vector = build_vector_index(workspace, 384)
    try:
        assert set(vector.model_versions().values()) == {new_version}
    finally:
        vector.close()  # type: ignore[attr-defined]
    runs = LineageStore.for_settings(workspace).list_runs()  # newest first
    assert [r.kind for r in runs] == ["ingest", "finetune", "ingest"]  # re-embed started by the finetune run
    assert runs[0].params["trigger"] == "champion-promoted" and runs[0].model_version == new_version
    assert runs[0].run_id == reembed["lineage_run_id"]


def test_blocked_promotion_keeps_champion_and_records_why(
    promoted: dict[str, Any], small_catalog: Path, workspace: Settings
) -> None:
    blocked = finetune_flow(catalog=str(small_catalog), epochs=2, promotion_margin=1.0, settings=workspace)
    assert blocked["promoted"] is False
    assert blocked["registered_version"] == "2"
    assert blocked["champion_before"] == blocked["champion_after"] == "1"
    assert "champion" in blocked["metrics"]  # the champion was re-evaluated on the same held-out queries
    reason = blocked["decision"]["reason"]
    assert reason.startswith("blocked:") and "champion v1" in reason

    client = MlflowClient(workspace.resolved_mlflow_uri)
    assert client.get_run(blocked["mlflow_run_id"]).data.tags["promotion_reason"] == reason
    version = client.get_model_version(workspace.registered_model_name, "2")
    assert version.tags["promotion"] == "blocked" and version.tags["promotion_reason"] == reason
    finetune_runs = LineageStore.for_settings(workspace).list_runs(kind="finetune")
    run = LineageStore.for_settings(workspace).get_run(finetune_runs[0].run_id)
    assert run is not None
    gate = {s.stage: s for s in run.stages}["register-and-gate"]
    assert gate.status == "blocked" and gate.detail == reason


def test_models_cli_lists_versions_and_promote_rolls_back(
    promoted: dict[str, Any], workspace: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.cli import app

    monkeypatch.setenv("SHOPTALK_DATA_DIR", str(workspace.data_dir))
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        before = runner.invoke(app, ["models", "--json"])
        assert before.exit_code == 0, before.output
        listed = {v["version"]: v for v in json.loads(before.stdout)}
        assert listed["1"]["champion"] and not listed["2"]["champion"]
        assert listed["2"]["tags"]["promotion"] == "blocked"

        rollback = runner.invoke(app, ["models", "promote", "2"])
        assert rollback.exit_code == 0, rollback.output
        after = {v["version"]: v for v in json.loads(runner.invoke(app, ["models", "--json"]).stdout)}
        assert after["2"]["champion"] and not after["1"]["champion"]

        missing = runner.invoke(app, ["models", "promote", "99"])
        assert missing.exit_code == 1 and "no version 99" in missing.output
    finally:
        get_settings.cache_clear()
        structlog.reset_defaults()  # the CLI pointed structlog at the runner's (now closed) stderr
