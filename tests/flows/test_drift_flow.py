"""The drift flow end to end: real query embeddings logged, compared with the catalog reference."""

from __future__ import annotations

import json
import shutil
from itertools import product as combinations
from pathlib import Path
from typing import Any

import pytest

from flows.drift import drift_flow, metrics_textfile
from ml.catalog.reader import read_catalog
from ml.config import Settings
from ml.drift.query_log import QueryEmbeddingLog
from ml.drift.reference import load_or_build_reference, reference_path
from ml.lineage import LineageStore
from ml.training.queries import generate_queries

OFF_TOPIC = [
    f"{what} {where}"
    for what, where in combinations(
        [
            "weather forecast for",
            "cheap flights to",
            "best restaurants in",
            "history of",
            "train times to",
            "hotels near",
            "population of",
            "news about",
            "museum tickets in",
            "how far is",
        ],
        ["paris", "tokyo", "lagos", "lima", "oslo", "cairo", "denver", "hanoi", "perth"],
    )
]


def log_queries(settings: Settings, embedder: Any, texts: list[str]) -> None:
    log = QueryEmbeddingLog(settings, sample_rate=1.0)
    for vector, text in zip(embedder.embed(texts), texts, strict=True):
        log.record(vector, text=text, model_version=embedder.model_version)


@pytest.fixture(scope="module")
def reference_file(tmp_path_factory: pytest.TempPathFactory, small_catalog: Path, embedder: Any) -> Path:
    """The catalog reference, embedded once with the session's model and cached like the flow does."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("reference"))
    vectors, rebuilt = load_or_build_reference(settings, embedder, str(small_catalog))
    assert rebuilt and vectors.shape == (2 * len(read_catalog(small_catalog).products), embedder.dim)
    return reference_path(settings)


@pytest.fixture()
def settings(tmp_path: Path, reference_file: Path) -> Settings:
    settings = Settings(data_dir=tmp_path, drift_window=80)
    reference_path(settings).parent.mkdir(parents=True)
    shutil.copy(reference_file, reference_path(settings))  # the flow finds it cached for this model version
    return settings


def test_shopper_queries_like_the_catalog_do_not_drift(
    prefect_api_url: str, small_catalog: Path, embedder: Any, settings: Settings
) -> None:
    products = read_catalog(small_catalog).products
    texts = [q.text for q in generate_queries(products, per_product=1, seed=99)][:80]
    log_queries(settings, embedder, texts)
    record = drift_flow(catalog=str(small_catalog), settings=settings)
    assert record["detected"] is False and record["status"] == "pass"
    assert record["method"] == "model" and record["current_size"] == 80
    assert record["reference_size"] == 2 * len(products)
    assert record["reference_rebuilt"] is False  # cached for this model version and catalog
    assert "report" not in record and not list(settings.data_dir.glob("drift/*.html"))  # only on request
    latest = json.loads((settings.data_dir / "drift" / "latest.json").read_text())
    assert latest["score"] == record["score"]
    assert 'shoptalk_drift_detected{method="model"} 0.0' in metrics_textfile(settings).read_text()


def test_off_topic_queries_drift(
    prefect_api_url: str, small_catalog: Path, embedder: Any, settings: Settings
) -> None:
    log_queries(settings, embedder, OFF_TOPIC[:80])
    record = drift_flow(catalog=str(small_catalog), settings=settings)
    assert record["detected"] is True and record["status"] == "fail"
    assert 'shoptalk_drift_detected{method="model"} 1.0' in metrics_textfile(settings).read_text()
    (run,) = LineageStore.for_settings(settings).list_runs(kind="drift")
    stages = {s.stage: s for s in LineageStore.for_settings(settings).get_run(run.run_id).stages}  # type: ignore[union-attr]
    assert stages["detect"].status == "drift" and stages["window"].records_out == 80


def test_too_few_logged_queries_is_a_clear_error(
    prefect_api_url: str, small_catalog: Path, embedder: Any, settings: Settings
) -> None:
    log_queries(settings, embedder, OFF_TOPIC[:5])
    with pytest.raises(ValueError, match="too few embeddings"):
        drift_flow(catalog=str(small_catalog), settings=settings)
