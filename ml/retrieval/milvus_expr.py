"""Milvus boolean expressions for the shared search filters, safe for any Unicode value.

Milvus parses string literals itself: ``json.dumps`` (ASCII escapes such as ``\\u00fc``) is
rejected by some Milvus versions ("unknown escape sequence \\u") and silently matches nothing
in others (Milvus Lite 2.5 reads ``"m\\u00fcller"`` as a different string). So values are
written verbatim in UTF-8 and only backslash and double quote are escaped — the only escapes
Milvus decodes (checked on Lite 2.5: ``\\t`` stays two characters, a raw tab is fine). A line
break cannot appear in a literal at all (raw it is a parse error, escaped it is not decoded),
so line breaks become spaces here and in the stored scalar fields (:func:`scalar_value`).
"""

from __future__ import annotations

from collections.abc import Iterable

from ml.retrieval.types import SearchFilters

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": " ", "\r": " "}


def scalar_value(value: str) -> str:
    """A stored filter field (brand, colour, type) as a literal can match it: no line breaks."""
    return value.replace("\r", " ").replace("\n", " ")


def string_literal(value: str) -> str:
    """A double-quoted Milvus string literal for ``value`` (Unicode kept as is; see above)."""
    return '"' + "".join(_ESCAPES.get(ch, ch) for ch in value) + '"'


def string_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(string_literal(v) for v in values) + "]"


def filter_expression(filters: SearchFilters | None) -> str:
    """Milvus boolean expression for the shared filters ("" when there are none).

    Values are normalised as they are stored: product types upper-case, brands and colours
    lower-case (``str.upper``/``str.lower`` are Unicode-aware: "MÜLLER" → "müller").
    """
    if filters is None:
        return ""
    parts: list[str] = []
    if filters.price_min is not None:
        parts.append(f"price >= {float(filters.price_min)}")
    if filters.price_max is not None:
        parts.append(f"price <= {float(filters.price_max)}")
    if filters.product_types:
        parts.append(f"product_type in {string_list(v.upper() for v in filters.product_types)}")
    if filters.brands:
        parts.append(f"brand in {string_list(v.lower() for v in filters.brands)}")
    if filters.colors:
        parts.append(f"array_contains_any(colors, {string_list(v.lower() for v in filters.colors)})")
    return " and ".join(parts)
