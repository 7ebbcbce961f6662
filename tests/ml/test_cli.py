"""The ``shoptalk`` CLI end to end on a small ABO-layout catalog (real model, real indexes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ml.config import get_settings
from services.cli import app

from .conftest import SMALL_CATALOG, write_listings


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHOPTALK_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def test_ingest_reports_counts_then_search_filters(
    small_catalog: Path, data_dir: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    bad = write_listings(small_catalog / "listings" / "metadata" / "listings_1.json.gz", ["{broken", "[]"])
    assert bad.exists()
    report_path = tmp_path / "ingest.json"
    result = runner.invoke(app, ["ingest", "--catalog", str(small_catalog), "--json", str(report_path)])
    assert result.exit_code == 0, result.output
    report = json.loads(report_path.read_text())
    assert report["products"] == len(SMALL_CATALOG)
    assert report["keyword_count"] == report["vector_count"] == len(SMALL_CATALOG)
    assert report["read"]["skipped_by_reason"] == {"invalid-json": 1, "not-an-object": 1}
    assert {"line": 1, "reason": "invalid-json"}.items() <= report["read"]["skipped_examples"][0].items()
    assert "skipped: invalid-json" in result.output
    assert (data_dir / "keyword-index").is_dir() and (data_dir / "milvus.db").exists()

    result = runner.invoke(
        app, ["search", "hiking boots", "--k", "3", "--price-max", "1000", "--type", "BOOT", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["mode"] == "hybrid"
    assert payload["hits"] and all(h["product"]["product_type"] == "BOOT" for h in payload["hits"])
    assert payload["hits"][0]["keyword_rank"] is not None and payload["hits"][0]["vector_rank"] is not None

    result = runner.invoke(app, ["search", "boots", "--mode", "keyword", "--brand", "Summit"])
    assert result.exit_code == 0 and "B0BOOT0002" in result.stdout and "B0BOOT0001" not in result.stdout

    result = runner.invoke(app, ["search", "boots", "--price-min", "50", "--price-max", "10"])
    assert result.exit_code != 0 and "price_min" in result.output


def test_eval_writes_metrics_for_all_modes(small_catalog: Path, data_dir: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.jsonl"
    qrels = tmp_path / "qrels.jsonl"
    queries.write_text(
        "\n".join(
            json.dumps(q)
            for q in [
                {"query_id": "1", "query": "waterproof hiking boots", "kind": "attribute"},
                {"query_id": "2", "query": "noise cancelling headphones", "kind": "keyword"},
                {"query_id": "3", "query": "unjudged query", "kind": "keyword"},
            ]
        )
    )
    qrels.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {"query_id": "1", "item_id": "B0BOOT0001", "grade": 3},
                {"query_id": "1", "item_id": "B0BOOT0002", "grade": 2},
                {"query_id": "2", "item_id": "B0HEAD0009", "grade": 3},
            ]
        )
    )
    out = tmp_path / "eval.json"
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "--catalog",
            str(small_catalog),
            "--queries",
            str(queries),
            "--qrels",
            str(qrels),
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads(out.read_text())
    assert metrics["queries"] == 2
    assert metrics["machine"]["cpus"] >= 1 and len(metrics["machine"]["load_average_after"]) == 3
    assert set(metrics["modes"]) == {"keyword", "vector", "hybrid"}
    for values in metrics["modes"].values():
        assert set(values) == {"ndcg@10", "recall@10", "mrr@10"}
        assert 0.5 < values["ndcg@10"] <= 1.0
    assert set(metrics["profiles"]) == {"fast", "quality"}
    assert metrics["profiles"]["fast"]["ndcg@10"] == metrics["modes"]["hybrid"]["ndcg@10"]
    assert metrics["profiles"]["fast"]["latency_ms"]["p95"] > 0
    quality = metrics["profiles"]["quality"]  # the cross-encoder from the shared test models dir
    assert 0.5 < quality["ndcg@10"] <= 1.0 and set(quality["degraded"]) <= {"reranker-timeout"}
    assert set(metrics["kinds"]) == {"attribute", "keyword"}
    assert metrics["kinds"]["keyword"]["queries"] == 1
    assert set(metrics["kinds"]["attribute"]) == {"keyword", "vector", "hybrid", "fast", "quality", "queries"}
    assert "by query kind" in result.output
    assert not (data_dir / "milvus.db").exists(), "eval must not touch the data dir"
