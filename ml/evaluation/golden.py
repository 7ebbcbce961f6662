"""Loading query sets and qrels (JSON lines) for evaluation."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path


def load_queries(path: str | Path) -> dict[str, str]:
    """``{"query_id", "query"}`` lines → ordered ``{query_id: query}``."""
    queries: dict[str, str] = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            queries[str(row["query_id"])] = str(row["query"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: bad query line ({exc})") from exc
    return queries


def load_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    """``{"query_id", "item_id", "grade"}`` lines → ``{query_id: {item_id: grade}}``."""
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            qrels[str(row["query_id"])][str(row["item_id"])] = int(row["grade"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}:{number}: bad qrels line ({exc})") from exc
    return dict(qrels)


def load_query_kinds(path: str | Path) -> dict[str, str]:
    """``{query_id: kind}`` from the same file (``kind`` optional: missing → ``"untagged"``)."""
    kinds: dict[str, str] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            kinds[str(row["query_id"])] = str(row.get("kind") or "untagged")
    return kinds
