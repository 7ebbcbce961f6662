"""``shoptalk bench search`` argument parsing and the machine description it records."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from ml.benchmarks.stats import machine_info
from ml.config import Settings
from services.cli.bench_search import DEFAULT_SIZES, parse_sizes


def test_parse_sizes_accepts_suffixes() -> None:
    assert parse_sizes("10k,100k,1M") == DEFAULT_SIZES == [10_000, 100_000, 1_000_000]
    assert parse_sizes("2000") == [2000]
    assert parse_sizes(" 2_000 , 1.5k ") == [2000, 1500]
    for bad in ("ten", "0", "-5"):
        with pytest.raises(typer.BadParameter):
            parse_sizes(bad)


def test_machine_info_describes_cpu_and_load() -> None:
    info = machine_info()
    assert info["cpu_model"] and info["cpus_usable"] >= 1
    assert isinstance(info["bf16_flags"], list)
    assert len(info["load_average_before"]) == 3


def test_latency_reports_the_index_search_apart_from_the_query_embedding(
    small_catalog: Path, settings: Settings
) -> None:
    """Tiny sizes through the real indexes: one hybrid size, one vector-only (lean) size."""
    from ml.benchmarks.search_bench import bench_latency

    local = settings.model_copy(update={"torch_threads": 1, "candidate_pool": 5})
    queries = ["running shoes", "leather chair", "red mug"]
    result = bench_latency(small_catalog, queries, [30, 60], local, lambda _: None, repeats=1, keyword_max=30)
    hybrid, vector_only = result["30"], result["60"]
    assert hybrid["products"] == 30 and vector_only["products"] == 60
    split = {"vector_index_only", "embed_query_only"}
    assert {"keyword", "vector", "hybrid", "hybrid_sequential", *split} <= set(hybrid["modes"])
    assert set(vector_only["modes"]) == {"vector", *split}
    assert hybrid["modes"]["vector_index_only"]["n"] == len(queries)
    assert hybrid["vector_index"] == "FLAT" and hybrid["vector_candidate_pool"] == 5
    assert vector_only["keyword_indexed"] is False and vector_only["variant_records"].startswith("lean")
    assert "hybrid_p95_vs_slower_half_p95" in hybrid["ratios"]
