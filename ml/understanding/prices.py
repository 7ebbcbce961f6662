"""Prices with their direction resolved, and number words.

"no more than $700" is a maximum, "not less than $90" a minimum, "around $100" a ±20 % band,
"between 100 and 200" / "$50 to $80" / "100-200" a range, "under twenty dollars" a maximum of 20.
Amounts in other currencies of the ABO marketplaces are converted to USD (ShopTalk's synthetic
prices are USD) with the fixed table :data:`USD_PER_UNIT`; the slot keeps the currency written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ml.understanding.types import PriceSlot

# Fixed conversion rates (USD per unit), rounded mid-2024 values. Prices are synthetic, so a
# documented constant table beats a live feed: the same message always means the same filter.
USD_PER_UNIT: dict[str, float] = {
    "USD": 1.0,
    "GBP": 1.27,
    "EUR": 1.08,
    "INR": 0.012,
    "JPY": 0.0067,
    "CAD": 0.73,
    "AUD": 0.66,
}
APPROX_BAND = 0.2  # "around $100" → 80–120

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "grand": 1000, "k": 1000, "million": 1_000_000}
_NUMBER_WORD = "|".join(sorted([*_UNITS, *_TENS, *_SCALES], key=len, reverse=True))
_LEADING_WORD = "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True))
# "twenty-five", "two hundred and fifty", "a hundred", "a couple hundred" (never a bare "a")
_WORDS_NUM = (
    rf"(?:a[\s-]+(?:couple[\s-]+(?:of[\s-]+)?)?(?:hundred|thousand|grand)|(?:{_LEADING_WORD}))"
    rf"(?:[\s-]+(?:and[\s-]+)?(?:{_NUMBER_WORD})\b)*"
)
NUMBER_WORDS = re.compile(rf"\b{_WORDS_NUM}\b")
# digits ("1,200", "1.5k", "20") or number words
NUM = rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s?k\b)?|\b{_WORDS_NUM}\b"


def parse_number(text: str) -> float | None:
    """ "1,200" → 1200, "1.5k" → 1500, "twenty-five" → 25, "a hundred" → 100, "two hundred and fifty"."""
    t = text.strip().lower().replace(",", "")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s?(k)?", t)
    if m:
        value = float(m.group(1))
        return value * 1000 if m.group(2) else value
    words = [w for w in re.split(r"[\s-]+", t) if w and w != "and"]
    if not words:
        return None
    total, current, seen = 0.0, 0.0, False
    for w in words:
        if w == "of":
            continue
        if w in ("a", "one") and not seen:
            current, seen = 1, True
        elif w in _UNITS:
            current += _UNITS[w]
            seen = True
        elif w in _TENS:
            current += _TENS[w]
            seen = True
        elif w == "hundred":
            current = (current or 1) * 100
            seen = True
        elif w in ("thousand", "grand", "k", "million"):
            total += (current or 1) * _SCALES[w]
            current = 0
            seen = True
        elif w == "couple":
            current, seen = 2, True
        else:
            return None
    return total + current if seen else None


_CUR_BEFORE = r"(?P<cb>us\$|c\$|ca\$|cad\$?|a\$|au\$|aud\$?|\$|usd|£|gbp|€|eur|₹|inr|rs\.?|¥|jpy)"
_CUR_AFTER = (
    r"(?P<ca>canadian\s+dollars?|australian\s+dollars?|aussie\s+dollars?|dollars?|bucks|usd|\$|pounds?|quid|gbp|£|"
    r"euros?|eur|€|rupees?|inr|rs\.?|yen|jpy|¥|cad|aud)"
)
_CURRENCY = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "₹": "INR", "inr": "INR", "rs": "INR", "rs.": "INR", "rupee": "INR", "rupees": "INR",
    "¥": "JPY", "jpy": "JPY", "yen": "JPY",
    "c$": "CAD", "ca$": "CAD", "cad": "CAD", "cad$": "CAD", "canadian dollar": "CAD",
    "canadian dollars": "CAD",
    "a$": "AUD", "au$": "AUD", "aud": "AUD", "aud$": "AUD", "australian dollar": "AUD",
    "australian dollars": "AUD", "aussie dollar": "AUD", "aussie dollars": "AUD",
}  # fmt: skip

_AMOUNT = rf"(?:{_CUR_BEFORE}\s?)?(?P<num>{NUM})(?:\s?{_CUR_AFTER})?"


def _amount(prefix: str) -> str:
    """The amount pattern with its groups renamed ``<prefix>cb/num/ca``."""
    return (
        _AMOUNT.replace("(?P<cb>", f"(?P<{prefix}cb>")
        .replace("(?P<num>", f"(?P<{prefix}num>")
        .replace("(?P<ca>", f"(?P<{prefix}ca>")
    )


_MAX_WORDS = (
    r"no\s+more\s+than|not\s+more\s+than|nothing\s+(?:more\s+than|over|above)|no\s+higher\s+than|"
    r"not\s+(?:over|above|exceeding|to\s+exceed)|no\s+(?:greater|pricier|dearer)\s+than|not\s+(?:higher|greater|pricier)\s+than|"
    r"at\s+(?:the\s+)?most|up\s*to|under|below|beneath|less\s+than|lower\s+than|cheaper\s+than|"
    r"menos\s+de|hasta|unter|bis\s+(?:zu)?|moins\s+de|jusqu'?à|meno\s+di|fino\s+a|"
    r"max(?:imum)?(?:\s+of)?|within|(?:a\s+|my\s+)?budget\s+(?:of|is)|budget(?:\s+of)?|<=?|"
    r"(?:do\s+not|don'?t|doesn'?t|won'?t|can'?t|cannot)\s+(?:want\s+to\s+|wanna\s+)?(?:spend|pay|go)\s+(?:more\s+than|over|above)|"
    r"(?:spend|pay)\s+(?:less\s+than|under|at\s+most|up\s+to|no\s+more\s+than)"
)
_MIN_WORDS = (
    r"not\s+less\s+than|no\s+less\s+than|nothing\s+(?:less\s+than|under|below)|not\s+(?:under|below|lower\s+than|cheaper\s+than)|"
    r"no\s+(?:lower|cheaper)\s+than|at\s+least|over|above|more\s+than|greater\s+than|higher\s+than|"
    r"more\s+expensive\s+than|pricier\s+than|min(?:imum)?(?:\s+of)?|starting\s+(?:at|from)|>=?|"
    r"más\s+de|mas\s+de|mehr\s+als|über|plus\s+de|più\s+di|almeno|mindestens|au\s+moins|al\s+menos"
)
_APPROX_WORDS = (
    r"around|about|roughly|approximately|approx\.?|~|circa|close\s+to|in\s+the\s+region\s+of|near|"
    r"somewhere\s+around|give\s+or\s+take"
)
_POST_MAX = (
    r"or\s+(?:less|under|below|cheaper)|and\s+(?:under|below|less)|tops|max(?:imum)?|at\s+(?:the\s+)?most"
)
_POST_MIN = r"or\s+(?:more|above|over)|and\s+(?:up|above|over)|plus|\+|at\s+least|minimum|min"
_POST_APPROX = r"ish|or\s+so|give\s+or\s+take"

_RANGE = re.compile(
    rf"(?:\bbetween\s+{_amount('a')}\s+(?:and|&|-|to)\s+{_amount('b')})"
    rf"|(?:(?<![\w.,])(?:from\s+)?{_amount('c')}\s*(?P<sep>-|to)\s*{_amount('d')}(?!\s*(?:x|by|inch|in\b|cm|mm|ft|feet|'|\"|person|people|seat)))"
)
_DIRECTED = re.compile(
    rf"(?:(?P<max>{_MAX_WORDS})|(?P<min>{_MIN_WORDS})|(?P<approx>{_APPROX_WORDS}))\s*(?:the\s+)?{_amount('x')}"
    rf"(?:\s*(?P<pmax>{_POST_MAX})\b|\s*(?P<pmin>{_POST_MIN})|\s*(?P<papprox>{_POST_APPROX})\b)?"
)
_POSTFIXED = re.compile(
    rf"{_amount('y')}\s*(?:(?P<qmax>{_POST_MAX})\b|(?P<qmin>{_POST_MIN})|(?P<qapprox>{_POST_APPROX})\b)"
)
_BARE = re.compile(rf"(?<![\w.]){_amount('z')}")
_PRICE_CHANGE = re.compile(
    r"\b(?P<cheaper>cheaper|less\s+expensive|lower\s+price[ds]?|more\s+affordable|lower[\s-]priced|"
    r"not\s+(?:so|as|too)\s+expensive|less\s+pricey|budget\s+(?:ones?|options?)|on\s+a\s+budget)\b"
    r"|\b(?P<pricier>pricier|more\s+expensive|higher[\s-]end|more\s+premium|premium|fancier|more\s+upscale|high\s+end)\b"
)


@dataclass(frozen=True)
class PriceMatch:
    start: int
    end: int
    slot: PriceSlot


def _currency(cb: str | None, ca: str | None) -> str | None:
    for raw in (cb, ca):
        if raw:
            key = " ".join(raw.split())
            cur = _CURRENCY.get(key) or _CURRENCY.get(key.rstrip("s"))
            if cur:
                return cur
    return None


def _value(m: re.Match[str], prefix: str) -> tuple[float, str | None] | None:
    num = m.group(f"{prefix}num")
    if num is None:
        return None
    value = parse_number(num)
    if value is None:
        return None
    return value, _currency(m.group(f"{prefix}cb"), m.group(f"{prefix}ca"))


def to_usd(amount: float, currency: str) -> float:
    return round(amount * USD_PER_UNIT.get(currency, 1.0), 2)


def _slot(
    lo: float | None, hi: float | None, currency: str, text: str, approximate: bool = False
) -> PriceSlot:
    return PriceSlot(
        min=None if lo is None else to_usd(lo, currency),
        max=None if hi is None else to_usd(hi, currency),
        currency=currency,
        approximate=approximate,
        text=text.strip(),
    )


def _free(taken: bytearray, a: int, b: int) -> bool:
    return not any(taken[a:b])


def find_prices(text: str, taken: bytearray | None = None) -> list[PriceMatch]:
    """Price phrases in normalised text. ``taken`` marks characters already used by other slots
    (device models, sizes, capacities); matches touching them are skipped and new ones marked."""
    used = taken if taken is not None else bytearray(len(text))
    out: list[PriceMatch] = []
    first_digit = next((i for i, ch in enumerate(text) if ch.isdigit() and not used[i]), -1)
    words = NUMBER_WORDS.search(text, 0, first_digit if first_digit >= 0 else len(text))
    if first_digit < 0 and words is None:
        return out
    starts = [p for p in (first_digit, words.start() if words else -1) if p >= 0]
    first = min(starts)
    # a direction phrase ("not more than", "in the region of") sits right before its amount
    pos = max(0, first - 48)

    def accept(a: int, b: int, slot: PriceSlot) -> None:
        out.append(PriceMatch(a, b, slot))
        used[a:b] = b"\x01" * (b - a)

    for m in _RANGE.finditer(text, pos):
        if not _free(used, *m.span()):
            continue
        low = _value(m, "a") or _value(m, "c")
        high = _value(m, "b") or _value(m, "d")
        if low is None or high is None:
            continue
        if m.group("sep") == "-" and not any(ch.isdigit() for ch in m.group("cnum") + m.group("dnum")):
            continue  # "twenty-five" is one number, not a range
        cur = low[1] or high[1]
        is_between = m.group("anum") is not None
        if cur is None and not is_between:
            # "100-200" alone is a price only with a currency or price context nearby
            context = text[max(0, m.start() - 24) : m.start()]
            if not re.search(
                r"(?:price|budget|cost|spend|pay|range|for|priced)\s*(?:of|is|range)?\s*$", context
            ):
                continue
        lo, hi = sorted((low[0], high[0]))
        if hi <= 0:
            continue
        accept(*m.span(), _slot(lo, hi, cur or "USD", m.group(0)))
    for m in _DIRECTED.finditer(text, pos):
        if not _free(used, m.start("xnum"), m.end("xnum")):
            continue
        parsed = _value(m, "x")
        if parsed is None:
            continue
        value, cur = parsed
        if cur is None and _looks_like_count(text, m.end()):
            continue
        direction = "max" if m.group("max") else "min" if m.group("min") else "approx"
        if m.group("pmax"):
            direction = "max"
        elif m.group("pmin"):
            direction = "min"
        elif m.group("papprox"):
            direction = "approx"
        if direction == "approx" and cur is None and not _price_context(text, m.start()):
            continue  # "about 3 feet", "around 4 of them": no currency, no price words
        accept(*m.span(), _directed_slot(direction, value, cur or "USD", m.group(0)))
    for m in _POSTFIXED.finditer(text, pos):
        if not _free(used, *m.span()):
            continue
        parsed = _value(m, "y")
        if parsed is None:
            continue
        value, cur = parsed
        if cur is None and not _price_context(text, m.start()):
            continue
        direction = "max" if m.group("qmax") else "min" if m.group("qmin") else "approx"
        accept(*m.span(), _directed_slot(direction, value, cur or "USD", m.group(0)))
    for m in _BARE.finditer(text, pos):
        if not _free(used, *m.span()):
            continue
        parsed = _value(m, "z")
        if parsed is None or parsed[1] is None:
            continue  # a bare number is not a price without a currency
        value, cur = parsed
        if cur is None:
            continue
        accept(*m.span(), _directed_slot("approx", value, cur, m.group(0)))
    out.sort(key=lambda p: p.start)
    return out


def _directed_slot(direction: str, value: float, currency: str, text: str) -> PriceSlot:
    if direction == "max":
        return _slot(None, value, currency, text)
    if direction == "min":
        return _slot(value, None, currency, text)
    return _slot(value * (1 - APPROX_BAND), value * (1 + APPROX_BAND), currency, text, approximate=True)


_COUNT_AFTER = re.compile(
    r"\s*(?:%|percent|people|persons?|person|guests|seats?|seater|kg|g\b|lbs?|pounds?\s+in\s+weight|oz|"
    r"inch|inches|in\b|cm|mm|ft|feet|foot|'|\"|m\b|meters?|metres?|l\b|liters?|litres?|gb|tb|mah|w\b|watts?|"
    r"hours?|days?|weeks?|months?|years?|items?|pieces?|pcs|pack|reviews?|stars?|of\s+them|ones?\b|results?)"
)


def _looks_like_count(text: str, end: int) -> bool:
    """ "under 5 kg", "over 4 people", "more than 3 of them": not prices."""
    return bool(_COUNT_AFTER.match(text, end))


_PRICE_WORDS = re.compile(
    r"\b(?:price[ds]?|cost[s]?|budget|spend|pay|paying|costing|priced|dollars?|bucks)\b"
)


def _price_context(text: str, start: int) -> bool:
    return bool(_PRICE_WORDS.search(text[max(0, start - 30) : start + 40]))


def merge_prices(matches: list[PriceMatch]) -> PriceSlot | None:
    """One constraint from several phrases ("over 50 but under 100" → 50–100)."""
    if not matches:
        return None
    lo: float | None = None
    hi: float | None = None
    approx = False
    for m in matches:
        if m.slot.min is not None:
            lo = m.slot.min if lo is None else max(lo, m.slot.min)
        if m.slot.max is not None:
            hi = m.slot.max if hi is None else min(hi, m.slot.max)
        approx = approx or m.slot.approximate
    if lo is not None and hi is not None and lo > hi:
        # contradictory phrases: keep the last one said
        last = matches[-1].slot
        return last
    currency = next((m.slot.currency for m in matches if m.slot.currency != "USD"), "USD")
    return PriceSlot(
        min=lo,
        max=hi,
        currency=currency,
        approximate=approx and len(matches) == 1,
        text=" / ".join(m.slot.text for m in matches),
    )


def price_change(text: str) -> str | None:
    """ "cheaper ones?" → "cheaper"; "something more expensive" → "pricier"; else None."""
    m = _PRICE_CHANGE.search(text)
    if m is None:
        return None
    return "cheaper" if m.group("cheaper") else "pricier"
