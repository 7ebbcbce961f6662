"""The sample catalog's per-type vocabularies load from their JSON files into typed records."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ml.sample.specs import SPECS_DIR, TYPE_SPECS, load_type_specs, parse_type_spec
from ml.sample.vocab import Feature, Subtype


def test_every_file_is_listed_once_in_order() -> None:
    order = json.loads((SPECS_DIR / "order.json").read_text())
    files = sorted(p.stem for p in SPECS_DIR.glob("*.json") if p.name != "order.json")
    assert sorted(order) == files and len(set(order)) == len(order)
    assert [spec.name.lower() for spec in TYPE_SPECS] == order


def test_records_are_typed_and_immutable() -> None:
    for spec in TYPE_SPECS:
        assert isinstance(spec.brands, tuple) and spec.brands
        assert all(isinstance(sub, Subtype) for sub in spec.subtypes)
        assert all(isinstance(feature, Feature) for feature in spec.features)
        for sub in spec.subtypes:
            assert all(isinstance(pair, tuple) and len(pair) == 2 for pair in sub.features)
        assert isinstance(spec.dims_in, tuple) and all(isinstance(d, tuple) for d in spec.dims_in)
        assert isinstance(spec.i18n_noun, dict)
        assert 0 < spec.share < 1


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    raw = json.loads((SPECS_DIR / "lamp.json").read_text())
    with pytest.raises(TypeError):
        parse_type_spec({**raw, "brandz": ["typo"]})


def test_loader_reads_another_directory(tmp_path: Path) -> None:
    shutil.copy(SPECS_DIR / "rug.json", tmp_path / "rug.json")
    (tmp_path / "order.json").write_text('["rug"]')
    (spec,) = load_type_specs(tmp_path)
    assert spec.name == "RUG" and spec == next(s for s in TYPE_SPECS if s.name == "RUG")
