""".ci/duplicate_rule.py: which `duplicates` rows count as logic pairs (issue 15's measure)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

RULE = Path(__file__).resolve().parents[1] / ".ci" / "duplicate_rule.py"


@pytest.fixture
def rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("duplicate_rule", RULE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "ROOT", f"{tmp_path}/")
    files = {
        "a.py": "x = f(\n    name=p.name,\n    size=p.size,\n)\n",
        "b.py": "y = g(\n    title=q.title,\n    price=q.price,\n)\n",
        "c.py": "if x is None:\n    total += 1\n    return total\n",
        "d.py": 'WORDS = frozenset(\n    "a",\n    "an",\n)\n',
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return module


def _row(text: str) -> re.Match[str]:
    match = re.match(r"(D\d+) (\S+):(\d+)-(\d+) ~ (\S+):(\d+)-(\d+)(.*)", text)
    assert match is not None
    return match


def test_rows_are_sorted_by_the_rule(rule: ModuleType) -> None:
    assert rule.classify(_row("D1 a.py:1-4 ~ b.py:1-4 shape")) == "declaration (shape-only)"
    assert rule.classify(_row("D1 a.py:1-4 ~ b.py:1-4")) == "logic"  # the same to the letter counts
    assert rule.classify(_row("D1 a.py:1-4 ~ c.py:1-3 shape")) == "logic"
    assert rule.classify(_row("D1 d.py:1-4 ~ d.py:1-4 shape")) == "data table"
    assert rule.classify(_row("D1 c.py:1-3 ~ a.py:1-4 shape boilerplate")) == "boilerplate"
    assert rule.classify(_row("D1 tests/x.py:1-3 ~ tests/y.py:1-4")) == "test-only"
    assert rule.classify(_row("D1 t/main.tf:1-3 ~ c.py:1-3")) == "terraform (declarative config)"
