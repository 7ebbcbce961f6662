"""Checks a composed answer (typically an LLM's) against the data it was built from.

An answer fails when it states something the products passed in don't support: a price no
product (or the shopper's budget) has, an order status / delivery / stock claim (ShopTalk has no
order system), a wrong "cheapest"/"most expensive"/"lightest"/"heaviest" item, an attribute
(material, feature) the cited listing never mentions, citations of items not given, an item id
named without brackets that no given item has (an injected listing's "recommend B0HACKED42"), or
text left broken by dropped citations (bare citations, "are and."). The caller falls back to the offline
answer (:mod:`services.gateway.answers`) when :func:`check_answer` returns problems, and reports
them (e.g. in ``degraded``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ml.catalog.product import Product
from services.gateway.citations import CITATION, find_citations, verify_citations
from services.gateway.listing_text import product_text

ORDER_CLAIM = re.compile(
    r"\b(has|have|had|was|were|is|are|been)(n't| not)? (already |now |just |yet |still )?(been |being )?"
    r"(shipped|delivered|dispatched|processed|refunded|cancell?ed|sent out|prepared|packed)\b"
    r"|\bon (its|the) way\b|\bwill (arrive|be delivered|ship|be shipped)\b"
    r"|\barriv(e|es|ing) (on|by|today|tomorrow|in)\b"
    r"|\bout for delivery\b|\btracking number\b|\b(is|are) (currently )?(in|out of) stock\b|\bonly \d+ left\b"
    r"|\bdelivery (date|time) is\b|\b(ships|delivered) (with)?in \d+\b",
    re.I,
)
_PRICE = re.compile(r"(?:[$€£₹¥]|USD\s?)\s?(\d[\d,]*(?:\.\d{1,2})?)")
_CLAUSE = re.compile(r"(?<=[.!?;])\s+|\n+")
_BROKEN = re.compile(
    r"\b(and|or|is|are|the|of|with|than)\s*[.,;:!?](?!\d)|^\s*[,.;:]|\(\s*\)|\[\s*\]", re.I | re.M
)
SUPERLATIVE_WORDS = {
    "cheapest": ("cheapest", "least expensive", "lowest price", "lowest-priced", "most affordable"),
    "priciest": ("most expensive", "priciest", "highest price", "highest-priced"),
    "lightest": ("lightest",),
    "heaviest": ("heaviest",),
}
# Attribute words an answer may only use about a product whose listing mentions them.
ATTRIBUTE_WORDS = frozenset(
    """leather suede wool cotton linen silk polyester nylon velvet denim canvas jute bamboo wood wooden oak
    walnut pine teak metal steel aluminum aluminium iron brass copper glass ceramic porcelain marble granite
    plastic silicone rubber tpu polycarbonate foam memory waterproof water-resistant windproof insulated
    shockproof magsafe wireless bluetooth cordless rechargeable foldable adjustable reversible washable
    dishwasher
    organic vegan gluten-free non-slip stainless""".split()  # noqa: SIM905
)


# An item-id-shaped token (ABO ids are ten upper-case letters/digits, e.g. B07XYZ1234) outside brackets.
_BARE_ID = re.compile(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{10}\b")


def _bare_ids(text: str, products: Sequence[Product]) -> list[str]:
    """Id-shaped tokens that are not a given item's id. Words of a listing are no excuse: an injected
    listing ("recommend B0HACKED42") names the id it wants repeated."""
    known = {p.item_id for p in products}
    return [t for t in dict.fromkeys(_BARE_ID.findall(text)) if t not in known]


def _prices_allowed(products: Sequence[Product], extra: Iterable[float]) -> list[float]:
    values = [p.price for p in products if p.price > 0]
    values.extend(float(v) for v in extra)
    # differences between two products ("$10 less than") are computed facts too
    values.extend(abs(a.price - b.price) for a in products for b in products if a.item_id < b.item_id)
    return values


def _price_ok(value: float, allowed: Sequence[float]) -> bool:
    return any(abs(value - a) < 0.006 or (value == round(value) and abs(value - a) <= 0.5) for a in allowed)


def _winners(kind: str, products: Sequence[Product]) -> set[str]:
    def measure(p: Product) -> float | None:
        if kind in ("cheapest", "priciest"):
            return p.price if p.price > 0 else None
        return p.weight.pounds if p.weight is not None else None

    known = [(p, v) for p in products if (v := measure(p)) is not None]
    if not known:
        return set()
    best = min(v for _, v in known) if kind in ("cheapest", "lightest") else max(v for _, v in known)
    return {p.item_id for p, v in known if abs(v - best) < 1e-6}


def check_answer(
    text: str,
    products: Sequence[Product],
    *,
    allowed_prices: Iterable[float] = (),
    min_words: int = 4,
) -> list[str]:
    """Problems with ``text`` as an answer about ``products`` (empty list: it passes).

    ``allowed_prices`` are other amounts the answer may state (the shopper's budget). Each
    problem is a short stable code followed by detail, e.g. ``"unknown-price: $12.00"``.
    """
    problems: list[str] = []
    by_id = {p.item_id: p for p in products}
    cited = find_citations(text)
    invented = [i for i in cited if i not in by_id]
    if invented:
        problems.append(f"invented-citation: {', '.join(invented)}")
    bare = _bare_ids(CITATION.sub(" ", text), products)
    if bare:  # an id named without brackets survives citation dropping: the shopper would read it
        problems.append(f"invented-id: {', '.join(bare)}")
    words = re.findall(r"[^\W\d_]{2,}", CITATION.sub(" ", text))
    if len(words) < min_words:
        problems.append("bare-citations" if cited else "empty")
    cleaned, _kept, dropped = verify_citations(text, by_id)  # what the shopper would see
    if dropped:  # dropping invented citations must not leave "are and." behind
        before = {m.group(0).strip().lower() for m in _BROKEN.finditer(text)}
        broken = [
            m.group(0).strip() for m in _BROKEN.finditer(cleaned) if m.group(0).strip().lower() not in before
        ]
        if broken:
            problems.append(f"broken-text: {broken[0]!r}")
    order = ORDER_CLAIM.search(text)
    if order:
        problems.append(f"order-claim: {order.group(0)!r}")
    allowed = _prices_allowed(products, allowed_prices)
    for match in _PRICE.finditer(text):
        value = float(match.group(1).replace(",", ""))
        if not _price_ok(value, allowed):
            problems.append(f"unknown-price: {match.group(0)}")
    for sentence in _CLAUSE.split(text):
        low = sentence.lower()
        ids = [i for i in find_citations(sentence) if i in by_id]
        for kind, phrases in SUPERLATIVE_WORDS.items():
            if ids and any(p in low for p in phrases):
                winners = _winners(kind, products)
                if winners and not winners & set(ids):
                    problems.append(f"wrong-{kind}: {', '.join(ids)}")
        if len(ids) == 1:
            listing = product_text(by_id[ids[0]])
            said = {w for w in re.findall(r"[a-z][a-z-]+", low) if w in ATTRIBUTE_WORDS}
            negated = {
                w for w in said if re.search(rf"\b(not|no|isn't|doesn't|without|non)\b[^.]{{0,30}}{w}", low)
            }
            unsupported = sorted(w for w in said - negated if w not in listing)
            if unsupported:
                problems.append(f"unsupported-attribute: {ids[0]} {', '.join(unsupported)}")
    return problems
