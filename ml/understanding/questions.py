"""What kind of question a turn asks about shown items, and about which attribute.

``classify_question(text)`` → ``(ask_kind, attribute)``:

- ``"compare"``: "difference between the first and the second", "compare them", "which is better",
  "X vs Y", "how do they differ";
- ``"superlative"``: "which one is the cheapest?", "the lightest of these";
- ``"detail"``: "what material is the second one?", "how deep are the pockets?", "what are the
  dimensions", "how heavy is it", "does it fit an iphone 13", "is it waterproof";
- ``(None, None)`` when the message asks nothing about items (a search, a greeting).

The attribute is what the answer must state ("material", "dimensions", "compatibility", …,
"general" for "tell me more about it").
"""

from __future__ import annotations

import re

from ml.understanding.types import AskKind, Attribute
from ml.understanding.vocab import normalize

_COMPARE = re.compile(
    r"\b(?:differences?\s+between|difference|differ|different\s+from|compare[ds]?|comparison|comparing|"
    r"vs\.?|versus|which\s+(?:one\s+)?(?:is|would\s+be|'?s)\s+better|which\s+(?:one\s+)?(?:should|would)\s+(?:i|you)|"
    r"which\s+(?:one\s+)?(?:do\s+you|would\s+you)\s+recommend|better\s+than|better\s+choice|pros\s+and\s+cons|"
    r"how\s+do\s+(?:they|these|those|the\s+two)\s+(?:compare|differ|stack\s+up)|side\s+by\s+side|"
    r"or\s+the\s+(?:first|second|third|last|other)(?:\s+one)?\s*\?)"
)
_SUPERLATIVE = re.compile(
    r"\b(?:cheapest|least\s+expensive|most\s+expensive|priciest|lightest|heaviest|biggest|largest|smallest|"
    r"tiniest|best[\s-]rated|highest[\s-]rated|top[\s-]rated|newest|most\s+affordable|roomiest|most\s+compact)\b"
)
_QUESTION_START = re.compile(
    r"^(?:so\s+|and\s+|but\s+|ok\s+|okay\s+|hmm\s+|also\s+)?(?:what|what's|whats|which|how|hows|does|do|did|is|isn't|are|"
    r"aren't|can|could|will|would|has|have|was|were|tell\s+me|any\s+idea|i\s+wonder|wondering|show\s+me\s+the\s+"
    r"(?:details|specs))\b"
)
_ABOUT_ITEM = re.compile(
    r"\b(?:it|its|it's|this|that|these|those|them|they|one|first|second|third|fourth|fifth|last|#\d|number\s+\d|"
    r"the\s+(?:sofa|lamp|case|table|chair|rug|bag|shoes?|boots?|jacket|watch|speakers?|headphones?|backpack|"
    r"pillow|blanket|desk|bed|suitcase|item|product|pockets?|lid|straps?|cushions?))\b"
)
_ATTRIBUTES: list[tuple[re.Pattern[str], Attribute]] = [
    (
        re.compile(
            r"\b(?:does\s+(?:it|this|that|the\s+\w+)\s+fit|fits?\s+(?:an?\s+|my\s+)?(?:iphone|galaxy|pixel|samsung|phone)|"
            r"compatib\w*|work\s+with|works\s+with|for\s+(?:an?\s+|my\s+)?(?:iphone|galaxy|pixel)|which\s+(?:phone|model)s?)\b"
        ),
        "compatibility",
    ),
    (
        re.compile(
            r"\b(?:dimensions?|how\s+(?:big|large|small|wide|long|tall|deep|high|thick)|size\s+is|what\s+size|"
            r"measure\w*|width|length|height|depth|inches|cm\b|how\s+much\s+(?:room|space))\b"
        ),
        "dimensions",
    ),
    (re.compile(r"\b(?:how\s+heavy|weigh\w*|how\s+light|lbs?|kilos?|kg)\b"), "weight"),
    (re.compile(r"\b(?:made\s+(?:of|from|out\s+of)|materials?|fabric|what\s+is\s+it\s+made)\b"), "material"),
    (re.compile(r"\b(?:colou?rs?|what\s+shade|come\s+in\s+(?:other|another|different))\b"), "color"),
    (
        re.compile(
            r"\b(?:how\s+much|price[ds]?|cost\w*|expensive|cheap|afford\w*|on\s+sale|discount|worth\s+(?:it|the))\b"
        ),
        "price",
    ),
    (re.compile(r"\b(?:brand|who\s+makes|made\s+by|manufacturer)\b"), "brand"),
    (
        re.compile(
            r"\b(?:how\s+many\s+(?:people|persons|seats?)|seats?\s+how\s+many|capacity|sleeps|holds?\s+how|"
            r"how\s+many\s+can|fit\s+\d+\s+people|litres?|liters?)\b"
        ),
        "capacity",
    ),
    (
        re.compile(r"\b(?:what\s+size|sizes?\s+(?:does|do|are|is)|true\s+to\s+size|run\s+(?:small|large))\b"),
        "size",
    ),
    (
        re.compile(
            r"\b(?:is\s+(?:it|this|that|the\s+\w+)\s+(?:\w+[\s-])?(?:waterproof|water[\s-]resistant|wireless|washable|"
            r"adjustable|foldable|dishwasher|rechargeable|bluetooth|magsafe|shockproof|dimmable)|"
            r"does\s+(?:it|this|that|the\s+\w+)\s+(?:have|come\s+with|support|include)|features?|"
            r"waterproof|water[\s-]resistant|noise\s+cancel\w*|battery|pockets?|warranty|washable|dishwasher\s+safe|"
            r"adjustable|foldable|wireless|bluetooth|rechargeable|dimmable|magsafe|shockproof|"
            r"can\s+(?:it|i|you)\s+(?:be\s+)?(?:wash|machine|charge|fold|use))\b"
        ),
        "features",
    ),
]
_GENERAL = re.compile(
    r"\b(?:tell\s+me\s+(?:more|about)|more\s+(?:info|information|details)\s+(?:about|on)|details\s+(?:of|on|about)|"
    r"describe|what\s+(?:is|about)\s+(?:it|this|that|the\s+(?:first|second|third|last))|what\s+do\s+you\s+know\s+about|"
    r"more\s+about)\b"
)


def attribute_of(text: str) -> Attribute | None:
    """The attribute a question is about (first matching family), or None."""
    t = normalize(text or "")
    for pattern, attribute in _ATTRIBUTES:
        if pattern.search(t):
            return attribute
    return None


def _superlative_attribute(t: str) -> Attribute:
    if re.search(r"cheap|expensive|pric|afford", t):
        return "price"
    if re.search(r"light|heav", t):
        return "weight"
    if re.search(r"big|larg|small|tin|room|compact", t):
        return "dimensions"
    return "general"


def classify_question(text: str) -> tuple[AskKind | None, Attribute | None]:
    """``(ask_kind, attribute)`` for a question about shown items, ``(None, None)`` otherwise."""
    t = normalize(text or "")[:500]
    if not t:
        return None, None
    is_question = t.endswith("?") or bool(_QUESTION_START.search(t))
    if _COMPARE.search(t):
        return "compare", attribute_of(t) or "general"
    sup = _SUPERLATIVE.search(t)
    if sup and (is_question or re.search(r"\b(?:of\s+(?:these|those|them|the\s+\w+)|which|among)\b", t)):
        return "superlative", _superlative_attribute(sup.group(0))
    if _GENERAL.search(t):
        return "detail", attribute_of(t) or "general"
    if is_question:
        attribute = attribute_of(t)
        if attribute is not None and (_ABOUT_ITEM.search(t) or re.match(r"^(?:what|how|which)\b", t)):
            return "detail", attribute
    return None, None
