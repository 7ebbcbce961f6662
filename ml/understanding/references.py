"""Which shown items a turn points at: "the second one", "#2", "the last one", "the first two",
"the cheaper of the two", "it", "them", "which of these", and superlatives with their scope
("the cheapest of these" → shown; "your cheapest sofa" → the catalog).

Positions are 0-based into the last shown list; ``-1`` is the last item. Positions beyond what
was shown are dropped (``shown_count``); with ``shown_count == 0`` nothing can be pointed at.
"""

from __future__ import annotations

import re

from ml.understanding.types import Reference, Superlative
from ml.understanding.vocab import normalize

_ORDINALS = {
    "first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
    "fifth": 4, "5th": 4, "sixth": 5, "6th": 5, "seventh": 6, "7th": 6, "eighth": 7, "8th": 7,
    "ninth": 8, "9th": 8, "tenth": 9, "10th": 9,
}  # fmt: skip
_CARDINALS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10,
}  # fmt: skip
_ORD = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_CARD = "|".join([*_CARDINALS, r"\d{1,2}"])

_CARD_N = "|".join([*list(_CARDINALS)[1:], r"[2-9]|10"])
_FIRST_N = re.compile(
    rf"\b(?:the\s+)?(?P<which>first|top|last)\s+(?P<n>{_CARD_N})\b(?!\s*(?:dollars|bucks|\$|%))"
)
_ORDINAL = re.compile(rf"\b(?P<ord>{_ORD})(?:\s+(?:one|item|option|product|result|choice|pick))?\b")
_LAST = re.compile(r"\b(?:the\s+)?(?:last|final|bottom)\s*(?:one|item|option|product|result)?\b")
_NUMBERED = re.compile(
    rf"(?:#\s?(?P<hash>\d{{1,2}})\b|\b(?:number|no\.|num|item|option|result|product|choice)\s*#?\s*(?P<num>\d{{1,2}}|{_CARD})\b)"
)
_BOTH = re.compile(r"\b(?:both|the\s+two(?:\s+of\s+them)?|these\s+two|those\s+two|the\s+pair)\b")
_ALL = re.compile(
    r"\b(?:which\s+(?:one\s+)?of\s+(?:these|those|them|the\s+\w+\s+you\s+showed)|any\s+of\s+(?:these|those|them)|"
    r"all\s+of\s+(?:these|those|them)|(?:of|among|from)\s+(?:these|those|them|the\s+ones\s+(?:you\s+)?(?:showed|shown))|"
    r"which\s+one|which\s+is|which\s+are|which\s+would|which\s+should|these|those|all\s+(?:three|four|five))\b"
)
_PRONOUN = re.compile(
    r"\b(?:it|its|it's|that\s+one|this\s+one|that|this|them|they|their|the\s+one|one\s+you\s+showed)\b"
)
_CHEAPER_OF = re.compile(
    r"\b(?:the\s+)?(?P<kind>cheaper|less\s+expensive|pricier|more\s+expensive|lighter|heavier|bigger|larger|smaller)"
    r"\s+(?:one\s+)?(?:of\s+the\s+two|of\s+(?:these|those|them|both))\b"
)
_SUPERLATIVES: list[tuple[re.Pattern[str], Superlative]] = [
    (
        re.compile(
            r"\b(?:cheapest|least\s+expensive|lowest[\s-]price[d]?|most\s+affordable|least\s+costly)\b"
        ),
        "cheapest",
    ),
    (
        re.compile(
            r"\b(?:most\s+expensive|priciest|dearest|highest[\s-]price[d]?|most\s+costly|most\s+premium|fanciest)\b"
        ),
        "priciest",
    ),
    (re.compile(r"\b(?:lightest|least\s+heavy|most\s+lightweight|lowest\s+weight)\b"), "lightest"),
    (re.compile(r"\b(?:heaviest|most\s+heavy|sturdiest)\b"), "heaviest"),
    (re.compile(r"\b(?:biggest|largest|roomiest|widest|longest|tallest|most\s+spacious)\b"), "biggest"),
    (re.compile(r"\b(?:smallest|tiniest|most\s+compact|narrowest|shortest)\b"), "smallest"),
    (
        re.compile(r"\b(?:best[\s-]rated|highest[\s-]rated|top[\s-]rated|most\s+popular|best\s+reviewed)\b"),
        "best_rated",
    ),
    (re.compile(r"\b(?:newest|latest|most\s+recent)\b"), "newest"),
]
_PAIR_KIND: dict[str, Superlative] = {
    "cheaper": "cheapest", "less expensive": "cheapest", "pricier": "priciest", "more expensive": "priciest",
    "lighter": "lightest", "heavier": "heaviest", "bigger": "biggest", "larger": "biggest",
    "smaller": "smallest",
}  # fmt: skip
_SHOWN_SCOPE = re.compile(
    r"\b(?:of\s+(?:these|those|them|the\s+(?:two|three|four|five|ones))|among\s+(?:these|those|them)|"
    r"(?:these|those|them|shown|you\s+showed|on\s+(?:the\s+)?(?:screen|list)|here)|which\s+(?:one|of))\b"
)
_CATALOG_SCOPE = re.compile(
    r"\b(?:your|you\s+have|you\s+(?:sell|carry|got|stock)|in\s+(?:the|your)\s+(?:catalog|catalogue|store|shop)|"
    r"overall|of\s+all|ever|available|in\s+stock|do\s+you\s+have|you've\s+got)\b"
)


def _num(word: str) -> int:
    return _CARDINALS[word] if word in _CARDINALS else int(word)


def extract_reference(text: str, shown_count: int) -> Reference:
    """The shown items (or superlative) a message refers to; empty when it points at nothing."""
    t = normalize(text or "")[:500]
    ref = Reference()
    positions: list[int] = []

    m = _CHEAPER_OF.search(t)
    if m is not None:
        kind = " ".join(m.group("kind").split())
        ref.superlative = _PAIR_KIND.get(kind)
        ref.all_shown = True  # "of the two": the pair under discussion, which the policy knows
    for m in _FIRST_N.finditer(t):
        n = _num(m.group("n"))
        if 1 < n <= 10:
            if m.group("which") == "last":
                positions.extend(range(-n, 0))
            else:
                positions.extend(range(n))
    consumed = " ".join(m.group(0) for m in _FIRST_N.finditer(t))
    for m in _ORDINAL.finditer(t):
        if m.group(0) in consumed and _FIRST_N.search(t):
            continue
        # "first" in "first time", "at first" is not a position
        if m.group("ord") == "first" and re.search(r"\bfirst\s+(?:time|thing|of\s+all)\b|\bat\s+first\b", t):
            continue
        positions.append(_ORDINALS[m.group("ord")])
    for m in _NUMBERED.finditer(t):
        raw = m.group("hash") or m.group("num")
        n = _num(raw)
        if 1 <= n <= 10:
            positions.append(n - 1)
    if (
        _LAST.search(t)
        and not _FIRST_N.search(t)
        and not re.search(r"\blast\s+(?:time|week|year|night|month)\b", t)
    ):
        positions.append(-1)
    if _BOTH.search(t) and not positions and not ref.all_shown:
        positions.extend([0, 1])

    for pattern, sup in _SUPERLATIVES:
        if pattern.search(t):
            ref.superlative = ref.superlative or sup
            break
    shown_cue = bool(_SHOWN_SCOPE.search(t))
    if ref.superlative is not None and not shown_cue and (_CATALOG_SCOPE.search(t) or shown_count == 0):
        ref.scope = "catalog"

    # keep positions that exist, in order, de-duplicated
    seen: list[int] = []
    for p in positions:
        if shown_count and (p < shown_count if p >= 0 else -p <= shown_count):
            norm = p if p >= 0 else shown_count + p
            if norm not in [q if q >= 0 else shown_count + q for q in seen]:
                seen.append(p)
    ref.positions = seen
    if _ALL.search(t) and not ref.positions:
        ref.all_shown = shown_count > 0 or ref.all_shown
    pronoun_text = re.sub(r"\bthat'?s\s+(?:all|it|enough|great|fine|perfect|good)\b", " ", t)
    if not ref.positions and not ref.all_shown and _PRONOUN.search(pronoun_text) and shown_count > 0:
        ref.pronoun = True
    return ref
