"""``shoptalk bench search`` argument parsing and the machine description it records."""

from __future__ import annotations

import pytest
import typer

from ml.benchmarks.stats import machine_info
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
