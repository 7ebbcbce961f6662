"""Listing facts from ABO's structured fields: dimensions, weight, model number/name/year.

ABO writes ``item_dimensions`` as ``{"height"|"length"|"width": {"value", "unit",
"normalized_value": {"value", "unit"}}}`` and ``item_weight`` as a list of ``{"value", "unit",
"normalized_value"}`` (normalised to inches and pounds in the public dump, but other catalogs
normalise to centimetres or grams). Every parser here returns ``None`` for anything it cannot
read — a malformed fact is dropped, never fatal to the listing.
"""

from __future__ import annotations

import math
from typing import Any

from ml.catalog.english import pick_language
from ml.catalog.product import Dimensions, Weight

INCHES_PER = {
    "inches": 1.0,
    "inch": 1.0,
    "in": 1.0,
    "feet": 12.0,
    "foot": 12.0,
    "ft": 12.0,
    "yards": 36.0,
    "yard": 36.0,
    "centimeters": 1 / 2.54,
    "centimetres": 1 / 2.54,
    "centimeter": 1 / 2.54,
    "cm": 1 / 2.54,
    "millimeters": 1 / 25.4,
    "millimetres": 1 / 25.4,
    "millimeter": 1 / 25.4,
    "mm": 1 / 25.4,
    "meters": 100 / 2.54,
    "metres": 100 / 2.54,
    "meter": 100 / 2.54,
    "m": 100 / 2.54,
}
POUNDS_PER = {
    "pounds": 1.0,
    "pound": 1.0,
    "lb": 1.0,
    "lbs": 1.0,
    "ounces": 1 / 16,
    "ounce": 1 / 16,
    "oz": 1 / 16,
    "kilograms": 2.2046226,
    "kilogram": 2.2046226,
    "kg": 2.2046226,
    "grams": 0.0022046226,
    "gram": 0.0022046226,
    "g": 0.0022046226,
    "milligrams": 0.0000022046226,
    "mg": 0.0000022046226,
}
MAX_SIDE_IN = 20_000.0  # anything longer is a data error
MAX_WEIGHT_LB = 200_000.0
SIDES = ("length", "width", "height")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", ""))
        except ValueError:
            return None
    if not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number > 0 else None


def _unit(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def _converted(entry: Any, table: dict[str, float]) -> tuple[float | None, float | None, str | None]:
    """``(converted, listed_value, listed_unit)`` from one ``{value, unit, normalized_value}``."""
    if not isinstance(entry, dict):
        return None, None, None
    value, unit = _number(entry.get("value")), _unit(entry.get("unit"))
    converted = None
    normalized = entry.get("normalized_value")
    if isinstance(normalized, dict):
        n_value, n_unit = _number(normalized.get("value")), _unit(normalized.get("unit"))
        if n_value is not None and n_unit in table:
            converted = n_value * table[n_unit]
    if converted is None and value is not None and unit in table:
        converted = value * table[unit]
    return converted, value, unit


def parse_dimensions(raw: Any) -> Dimensions | None:
    """``item_dimensions`` → :class:`Dimensions` in inches; ``None`` when no side is usable."""
    if isinstance(raw, list):  # some dumps wrap it in a one-element list
        raw = next((r for r in raw if isinstance(r, dict)), None)
    if not isinstance(raw, dict):
        return None
    inches: dict[str, float] = {}
    listed: dict[str, float] = {}
    units: list[str] = []
    for side in SIDES:
        converted, value, unit = _converted(raw.get(side), INCHES_PER)
        if converted is None or converted > MAX_SIDE_IN:
            continue
        inches[f"{side}_in"] = round(converted, 2)
        if value is not None:
            listed[side] = value
        if unit:
            units.append(unit)
    if not inches:
        return None
    unit = units[0] if units and all(u == units[0] for u in units) else None
    return Dimensions(
        unit=unit,
        **inches,
        **(listed if unit else {}),
    )


def parse_weight(raw: Any) -> Weight | None:
    """``item_weight`` (a list of measures, or one) → :class:`Weight` in pounds."""
    entries = raw if isinstance(raw, list) else [raw]
    for entry in entries:
        pounds, value, unit = _converted(entry, POUNDS_PER)
        if pounds is not None and pounds <= MAX_WEIGHT_LB:
            return Weight(pounds=round(pounds, 3), value=value, unit=unit)
    return None


def first_plain(raw: Any) -> str | None:
    """The first value of ``[{"value": X}]`` (``model_number``), also if language-tagged."""
    if isinstance(raw, str):
        return raw.strip() or None
    if not isinstance(raw, list):
        return None
    for entry in raw:
        value = entry.get("value") if isinstance(entry, dict) else entry
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return None


def first_text(raw: Any) -> str | None:
    """The best-language first value of a ``[{language_tag, value}]`` list."""
    return pick_language(raw).first


def parse_year(raw: Any) -> int | None:
    """``model_year`` (``[{"value": 2019}]``) → 2019 when it is a plausible year."""
    text = first_plain(raw)
    if text is None:
        return None
    try:
        year = int(float(text))
    except ValueError:
        return None
    return year if 1900 <= year <= 2100 else None
