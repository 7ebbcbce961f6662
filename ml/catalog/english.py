"""English extraction from ABO's multilingual ``[{language_tag, value}]`` lists.

Preference: ``en_US``, then any other ``en_*`` tag, then any language at all (kept, and
the caller flags the field as non-English so it can be reported or down-weighted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Localized:
    values: list[str]
    language: str | None

    @property
    def first(self) -> str | None:
        return self.values[0] if self.values else None

    @property
    def is_english(self) -> bool:
        return self.language is None or self.language.lower().startswith("en")


def _tag(entry: dict[str, Any]) -> str:
    return str(entry.get("language_tag") or "")


def _rank(tag: str) -> int:
    low = tag.lower().replace("-", "_")
    if low == "en_us":
        return 0
    if low.startswith("en"):
        return 1
    return 2


def pick_language(entries: Any) -> Localized:
    """All values of the best language present, in listing order.

    Entries without a ``value`` or with a non-string one are ignored; a bare string (seen in
    hand-made catalogs) is accepted as an untagged English value.
    """
    if isinstance(entries, str):
        text = entries.strip()
        return Localized([text] if text else [], None)
    if not isinstance(entries, list):
        return Localized([], None)
    usable = [
        e for e in entries if isinstance(e, dict) and isinstance(e.get("value"), str) and e["value"].strip()
    ]
    if not usable:
        return Localized([], None)
    best = min(_rank(_tag(e)) for e in usable)
    chosen = [e for e in usable if _rank(_tag(e)) == best]
    # Within the English tier prefer the most common tag so en_GB and en_US lines don't mix.
    tags = [_tag(e) for e in chosen]
    lead = "en_US" if "en_US" in tags else max(set(tags), key=tags.count)
    values = [e["value"].strip() for e in chosen if _tag(e) == lead]
    return Localized(values, lead or None)


def standardized_colors(entries: Any) -> list[str]:
    """ABO ``color`` entries carry ``standardized_values`` (English, e.g. ``["Black"]``)."""
    out: list[str] = []
    if not isinstance(entries, list):
        return out
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        for value in entry.get("standardized_values") or []:
            if isinstance(value, str) and value.strip() and value.strip().lower() not in out:
                out.append(value.strip().lower())
    return out


def plain_values(entries: Any) -> list[str]:
    """``[{"value": X}]`` lists without language tags (``product_type``, ``model_number``)."""
    if not isinstance(entries, list):
        return []
    return [str(e["value"]).strip() for e in entries if isinstance(e, dict) and e.get("value") is not None]
