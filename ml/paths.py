"""Locations of files shipped inside the package (sample catalog, golden queries)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
SAMPLE_CATALOG = PACKAGE_ROOT / "sample" / "abo"
GOLDEN_QUERIES = PACKAGE_ROOT / "sample" / "golden" / "queries.jsonl"
GOLDEN_QRELS = PACKAGE_ROOT / "sample" / "golden" / "qrels.jsonl"
