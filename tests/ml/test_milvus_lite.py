"""Embedded Milvus (Milvus Lite 2.5, the real C++ engine): Unicode filters, index choice by size,
and clear errors for a file that is locked by another process or corrupt."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from ml.catalog.product import Product
from ml.config import get_settings
from ml.paths import SAMPLE_CATALOG
from ml.retrieval.milvus_expr import filter_expression, string_literal
from ml.retrieval.milvus_index import MilvusVectorIndex
from ml.retrieval.milvus_local import EmbeddedMilvusError, EmbeddedMilvusLocked
from ml.retrieval.milvus_plan import IVF_THRESHOLD, nlist_for, nprobe_for, plan_index
from ml.retrieval.types import SearchFilters

REPO = Path(__file__).resolve().parents[2]


def catalog_non_ascii_values() -> list[str]:
    """Colour values of the committed sample listings in other languages (Weiß, Grün, ブルー …)."""
    found: dict[str, None] = {}
    for shard in sorted((SAMPLE_CATALOG / "listings" / "metadata").glob("*.json.gz")):
        with gzip.open(shard, "rt", encoding="utf-8") as handle:
            for line in handle:
                for entry in json.loads(line).get("color", []):
                    if not entry["value"].isascii():
                        found[entry["value"]] = None
    return list(found)


def unit(n: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


# ---------------------------------------------------------------- expressions
def test_catalog_has_the_non_english_values_this_file_tests() -> None:
    values = catalog_non_ascii_values()
    joined = "".join(values)
    for char in ("ü", "é", "ß", "ー"):
        assert char in joined, f"sample catalog lost its {char!r} values"


@pytest.mark.parametrize(
    "value", ["Grün", "Argenté", "Weiß", "マルチカラー", 'a"b\\c', "tab\there", "line\nbreak"]
)
def test_string_literal_keeps_unicode_and_escapes_only_what_milvus_needs(value: str) -> None:
    literal = string_literal(value)
    assert literal.startswith('"') and literal.endswith('"')
    assert "\\u" not in literal and "\\t" not in literal  # escapes Milvus rejects or misreads
    assert "\n" not in literal  # a raw line break is a parse error
    assert json.loads(literal.replace("\t", "\\t")) == value.replace("\n", " ")


def test_filter_expression_normalises_unicode_case() -> None:
    expr = filter_expression(SearchFilters(brands=["MÜLLER"], colors=["WEISS", "Grün"], product_types=["ß"]))
    assert expr == (
        'product_type in ["SS"] and brand in ["müller"] and array_contains_any(colors, ["weiss", "grün"])'
    )


def test_every_non_english_catalog_value_filters_in_milvus_lite(tmp_path: Path) -> None:
    values = [*catalog_non_ascii_values(), 'Quote"Back\\slash', "Tab\tBrand", "Two\nLines"]
    products = [
        Product(item_id=f"U{i:03d}", title=f"item {i}", brand=v, colors=[v], product_type="SHIRT", price=10.0)
        for i, v in enumerate(values)
    ]
    index = MilvusVectorIndex(str(tmp_path / "u.db"), "u", dim=8)
    try:
        index.upsert(products, unit(len(products)))
        probe = unit(1, seed=9)[0]
        for product in products:
            value = product.brand or ""
            # Case-insensitive as stored (lower-case); "WEISS" is not "weiß" in lower case.
            shouted = value.upper() if value.upper().lower() == value.lower() else value.title()
            by_brand = index.search(probe, 50, SearchFilters(brands=[shouted]))
            by_color = index.search(probe, 50, SearchFilters(colors=[value]))
            assert [h.item_id for h in by_brand] == [product.item_id], value
            assert [h.item_id for h in by_color] == [product.item_id], value
    finally:
        index.close()


# ---------------------------------------------------------------- index choice
def test_index_plan_by_size_and_place() -> None:
    assert plan_index(0, local=True).index_type == "FLAT"
    assert plan_index(IVF_THRESHOLD - 1, local=True).index_type == "FLAT"
    ivf = plan_index(100_000, local=True)
    assert ivf.index_type == "IVF_FLAT" and ivf.nlist == nlist_for(100_000) == 1264
    assert ivf.search_params(10) == {"metric_type": "COSINE", "params": {"nprobe": nprobe_for(1264)}}
    assert ivf.search_params(10, exhaustive=True)["params"]["nprobe"] == 1264
    assert nlist_for(1_000_000) == 4000 and nlist_for(10**12) == 16_384
    server = plan_index(10, local=False)
    assert server.index_type == "HNSW" and server.params == {"M": 16, "efConstruction": 200}
    assert server.search_params(200)["params"]["ef"] == 200 and server.search_params(5)["params"]["ef"] == 64
    assert ivf.covers(plan_index(150_000, local=True)) and not ivf.covers(plan_index(500_000, local=True))
    assert not plan_index(10, local=True).covers(ivf)


def test_lite_switches_to_ivf_when_it_grows_and_keeps_exact_filters(tmp_path: Path) -> None:
    n = 400
    vectors = unit(n, dim=16, seed=3)
    products = [
        Product(
            item_id=f"P{i:04d}",
            title=f"product {i}",
            brand="rare" if i % 100 == 7 else "common",
            product_type="THING",
            price=float(i),
        )
        for i in range(n)
    ]
    index = MilvusVectorIndex(str(tmp_path / "g.db"), "g", dim=16, ivf_threshold=300)
    try:
        index.upsert(products[:200], vectors[:200])
        assert index.index_plan.index_type == "FLAT"
        index.upsert(products[200:], vectors[200:])
        plan = index.index_plan
        assert plan.index_type == "IVF_FLAT" and plan.nlist == nlist_for(n)
        assert index.client.describe_index("g", "vector")["index_type"] == "IVF_FLAT"
        for i in (0, 123, 399):
            assert index.search(vectors[i], 1)[0].item_id == f"P{i:04d}"
        rare = index.search(vectors[0], 10, SearchFilters(brands=["rare"]))
        assert sorted(h.item_id for h in rare) == ["P0007", "P0107", "P0207", "P0307"]
        index.close()
        reopened = MilvusVectorIndex(str(tmp_path / "g.db"), "g", dim=16, ivf_threshold=300)
        assert reopened.index_plan.index_type == "IVF_FLAT"  # read back from the collection
        reopened.clear()
        assert reopened.index_plan.index_type == "FLAT" and reopened.count() == 0
        reopened.close()
    finally:
        index.close()


def test_prepare_for_builds_the_big_index_up_front(tmp_path: Path) -> None:
    index = MilvusVectorIndex(str(tmp_path / "p.db"), "p", dim=8, ivf_threshold=100)
    try:
        plan = index.prepare_for(1000)
        assert plan.index_type == "IVF_FLAT" and plan.nlist == nlist_for(1000)
        vectors = unit(150, seed=4)
        products = [Product(item_id=f"Q{i:03d}", title="q", product_type="X", price=1.0) for i in range(150)]
        index.upsert(products, vectors)
        assert index.index_plan == plan  # no rebuild while filling
        assert index.search(vectors[42], 1)[0].item_id == "Q042"
    finally:
        index.close()


# ---------------------------------------------------------------- bad files
def test_corrupt_file_is_a_clear_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "milvus.db"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(EmbeddedMilvusError, match=r"milvus\.db is corrupt"):
        MilvusVectorIndex(str(path), "c", dim=8).count()


@contextmanager
def _held(path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Another process that opened the embedded file ``path`` and keeps it open."""
    ready = path.parent / "ready"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import pathlib, sys, time
                sys.path.insert(0, {str(REPO)!r})
                from ml.retrieval.milvus_index import MilvusVectorIndex
                MilvusVectorIndex({str(path)!r}, "c", dim=8).count()
                pathlib.Path({str(ready)!r}).write_text("ok")
                time.sleep(120)
                """
            ),
        ]
    )
    try:
        deadline = time.monotonic() + 90
        while not ready.exists():
            assert holder.poll() is None, "holder process died"
            assert time.monotonic() < deadline, "holder never opened the file"
            time.sleep(0.2)
        yield holder
    finally:
        holder.kill()
        holder.wait(10)


def test_file_held_by_another_process_names_it_and_the_process(tmp_path: Path) -> None:
    path = tmp_path / "milvus.db"
    with _held(path) as holder:
        with pytest.raises(EmbeddedMilvusLocked) as caught:
            MilvusVectorIndex(str(path), "c", dim=8).count()
        message = str(caught.value)
        assert str(path) in message and f"process {holder.pid}" in message
        assert caught.value.holder.pid == holder.pid
        # Refusing must not break the holder (milvus-lite itself would delete its lock file).
        assert (tmp_path / ".milvus.db.lock").exists()


def test_cli_search_fails_loudly_on_a_locked_embedded_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never a silent keyword-only answer: exit 2 naming the file and the process holding it."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("SHOPTALK_DATA_DIR", str(data))
    get_settings.cache_clear()
    try:
        path = get_settings().milvus_lite_path
        with _held(path) as holder:
            from services.cli import app

            result = CliRunner().invoke(app, ["search", "hiking boots"], terminal_width=400)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert str(path) in output and f"in use by process {holder.pid}" in output
    assert "search:" not in output  # no result table


def test_cli_search_fails_loudly_on_a_corrupt_embedded_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "milvus.db").write_bytes(b"not a database" * 100)
    monkeypatch.setenv("SHOPTALK_DATA_DIR", str(data))
    get_settings.cache_clear()
    try:
        from services.cli import app

        result = CliRunner().invoke(app, ["search", "hiking boots", "--mode", "vector"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    assert "milvus.db is corrupt" in " ".join(result.output.split())
