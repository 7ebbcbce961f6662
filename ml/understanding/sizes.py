"""Sizes, dimensions and capacities in shopper text (and in listings: the same normal forms).

Normal forms: ``"5x8 ft"`` (5'x8'), ``"5x8"`` (no unit said), ``"160x230 cm"``, ``"17 inch"``,
``"38 mm"``, ``"60 l"``, ``"queen"``, ``"twin xl"``, ``"xl"``, ``"size 9"``, ``"uk 8"``.
Capacities: "family of four", "4 person", "for 6 people", "two-person", "3-seater" → int.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ml.understanding.prices import NUM, parse_number

_UNIT = {
    "'": "ft", "ft": "ft", "feet": "ft", "foot": "ft", '"': "inch", "''": "inch", "in": "inch",
    "inch": "inch", "inches": "inch", "cm": "cm", "mm": "mm", "m": "m", "meter": "m", "metre": "m",
    "meters": "m", "metres": "m",
    "l": "l", "liter": "l", "litre": "l", "liters": "l", "litres": "l", "ml": "ml", "qt": "qt", "quart": "qt",
    "quarts": "qt", "oz": "oz", "ounce": "oz", "ounces": "oz", "lb": "lb", "lbs": "lb", "pound": "lb",
    "kg": "kg", "gb": "gb", "tb": "tb", "mah": "mah",
}  # fmt: skip
_U = r"(?:inches|inch|in(?=\s*(?:$|[,.;)!?]|x\b|by\b))|''|\"|cm|mm|ft|feet|foot|'|meters?|metres?|m(?![a-z]))"
_D = r"\d+(?:\.\d+)?"
_DIMS = re.compile(
    rf"(?<![\w.])(?P<a>{_D})\s*(?P<ua>{_U})?\s*(?:x|by|\*)\s*(?P<b>{_D})\s*(?P<ub>{_U})?"
    rf"(?:\s*(?:x|by|\*)\s*(?P<c>{_D})\s*(?P<uc>{_U})?)?"
)
_LENGTH = re.compile(
    rf"(?<![\w.])(?P<n>{_D})\s*-?\s*(?P<u>inches|inch|in(?=\s*(?:$|[,.;)!?]))|''|\"|cm|mm|ft|feet|foot|'|meters?|metres?|"
    r"liters?|litres?|l(?![a-z])|ml|qt|quarts?|oz|ounces?|lbs?|kg|gb|tb|mah)(?![a-z])"
)
_BED = re.compile(
    r"\b(?P<s>california\s+king|cal\s+king|super\s+king|twin\s*xl|queen|king|twin|"
    r"(?:full|double|single)(?=[\s-]+(?:size|sized|bed|mattress|sheets?|comforter|duvet|frame|quilt|blanket)))"
    r"(?:[\s-]+size[d]?)?\b|\b(?:size[d]?\s+)(?P<s2>full|double|single)\b"
)
_APPAREL = re.compile(
    r"\b(?:size\s+|in\s+(?:a\s+)?(?:size\s+)?)(?P<s>xxs|xs|s|m|l|xl|xxl|xxxl|[2-5]xl|small|medium|large|extra\s+large)\b"
    r"|\b(?P<s2>xxs|xs|xl|xxl|xxxl|[2-5]xl|extra[\s-]large|plus[\s-]size|petite)\b"
)
_SHOE = re.compile(
    r"\b(?:(?:shoe|boot)\s+)?size\s*(?P<sys>us|uk|eu|eur)?\s*(?P<n>\d{1,2}(?:\.5)?)(?:\s*(?P<w>wide|narrow))?\b"
    r"|\b(?P<sys2>us|uk|eu)\s*(?:size\s*)?(?P<n2>\d{1,2}(?:\.5)?)\b(?!\s*(?:\$|dollars|pounds|euros))"
)
_CAPACITY = re.compile(
    rf"\bfamily\s+of\s+(?P<f>{NUM})"
    rf"|(?P<n>{NUM})[\s-]*(?:person|persons|people|man|seater|seat|seats|player|players|adults?)\b"
    rf"|\b(?:for|fits|holds|seats|sleeps|room\s+for)\s+(?:up\s+to\s+|at\s+least\s+)?(?P<m>{NUM})\s*(?:people|persons|guests|adults|of\s+us|kids|children)?(?=\s*(?:$|[,.;!?]|people|persons|guests|adults|of\s+us|kids|children))"
    r"|\b(?P<couple>couple|pair\s+of\s+people)\b(?=\s*(?:$|[,.;!?]))"
    # listing wording: "Seats 6 …", "seats six comfortably", "sleeps 4" (unambiguous verbs)
    rf"|\b(?:seats|sleeps)\s+(?:up\s+to\s+)?(?P<k>{NUM})\b"
)


@dataclass(frozen=True)
class SizeMatch:
    start: int
    end: int
    size: str


def _num(text: str) -> str:
    value = float(text)
    return str(int(value)) if value.is_integer() else str(value)


def find_sizes(text: str, taken: bytearray | None = None) -> list[SizeMatch]:
    """Sizes in normalised text; marks their characters in ``taken`` (when given)."""
    used = taken if taken is not None else bytearray(len(text))
    out: list[SizeMatch] = []

    def accept(a: int, b: int, size: str) -> None:
        if any(used[a:b]):
            return
        out.append(SizeMatch(a, b, size))
        used[a:b] = b"\x01" * (b - a)

    for m in _DIMS.finditer(text):
        unit_raw = m.group("uc") or m.group("ub") or m.group("ua")
        unit = _UNIT.get(unit_raw.strip()) if unit_raw else None
        parts = [_num(m.group("a")), _num(m.group("b"))] + ([_num(m.group("c"))] if m.group("c") else [])
        accept(m.start(), m.end(), "x".join(parts) + (f" {unit}" if unit else ""))
    for m in _SHOE.finditer(text):
        n = m.group("n") or m.group("n2")
        sys = m.group("sys") or m.group("sys2")
        size = f"{sys.replace('eur', 'eu')} {_num(n)}" if sys else f"size {_num(n)}"
        if m.group("w"):
            size += f" {m.group('w')}"
        accept(m.start(), m.end(), size)
    for m in _LENGTH.finditer(text):
        accept(m.start(), m.end(), f"{_num(m.group('n'))} {_UNIT[m.group('u')]}")
    for m in _BED.finditer(text):
        raw = " ".join((m.group("s") or m.group("s2")).replace("-", " ").split())
        raw = {"cal king": "california king", "twinxl": "twin xl", "double": "full"}.get(raw, raw)
        accept(m.start(), m.end(), raw)
    for m in _APPAREL.finditer(text):
        raw = " ".join((m.group("s") or m.group("s2")).replace("-", " ").split())
        raw = {
            "small": "s",
            "medium": "m",
            "large": "l",
            "extra large": "xl",
            "xxl": "2xl",
            "xxxl": "3xl",
        }.get(raw, raw)
        accept(m.start(), m.end(), raw)
    out.sort(key=lambda s: s.start)
    return out


def find_capacity(text: str, taken: bytearray | None = None) -> tuple[int, int, int] | None:
    """``(start, end, people)`` for the first capacity phrase, or None."""
    used = taken if taken is not None else bytearray(len(text))
    for m in _CAPACITY.finditer(text):
        a, b = m.span()
        if any(used[a:b]):
            continue
        if m.group("couple"):
            value: float | None = 2
        else:
            value = parse_number(m.group("f") or m.group("n") or m.group("m") or m.group("k") or "")
        if value is None or not 1 <= value <= 50 or value != int(value):
            continue
        used[a:b] = b"\x01" * (b - a)
        return a, b, int(value)
    return None


def size_matches(wanted: str, offered: str) -> bool:
    """Whether a listing's size fits the wanted one; a unit-less "5x8" matches "5x8 ft"."""
    if wanted == offered:
        return True
    w, o = wanted.split(" ", 1), offered.split(" ", 1)
    if len(w) == 1 and "x" in wanted:
        return o[0] == w[0] or o[0] == "x".join(reversed(w[0].split("x")))
    return False
