"""Per-product-type vocabularies (everything except phone cases and screen protectors).

The vocabularies are data: one JSON file per ABO ``product_type`` under ``ml/sample/type_specs/``,
listed in generation order by ``order.json``. This module only reads them into the typed
:class:`~ml.sample.vocab.TypeSpec` records the generator uses (JSON lists become tuples; a field
left out takes its dataclass default).

Title templates use ``{brand} {aud} {noun} {color} {material} {feat} {feat2} {style} {size}
{model} {pattern}``; an empty field disappears together with its stray punctuation.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from ml.sample.vocab import Feature, Subtype, TypeSpec

SPECS_DIR = Path(__file__).with_name("type_specs")


def _tuples(value: Any) -> Any:
    """JSON lists → tuples, recursively (dicts keep their order and stay dicts)."""
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    if isinstance(value, dict):
        return {key: _tuples(item) for key, item in value.items()}
    return value


def _feature(raw: dict[str, Any]) -> Feature:
    return Feature(**_tuples(raw))


def _subtype(raw: dict[str, Any]) -> Subtype:
    return Subtype(**_tuples(raw))


def parse_type_spec(raw: dict[str, Any]) -> TypeSpec:
    """One ``type_specs/*.json`` document → a :class:`TypeSpec` (unknown keys raise ``TypeError``)."""
    fields = {key: _tuples(value) for key, value in raw.items() if key not in {"subtypes", "features"}}
    return TypeSpec(
        subtypes=tuple(_subtype(item) for item in raw["subtypes"]),
        features=tuple(_feature(item) for item in raw["features"]),
        **fields,
    )


@cache
def load_type_specs(directory: Path = SPECS_DIR) -> tuple[TypeSpec, ...]:
    """Every product type's vocabulary, in the order ``order.json`` lists them."""
    order = json.loads((directory / "order.json").read_text(encoding="utf-8"))
    return tuple(
        parse_type_spec(json.loads((directory / f"{name}.json").read_text(encoding="utf-8")))
        for name in order
    )


TYPE_SPECS: tuple[TypeSpec, ...] = load_type_specs()
