"""The original search-results answerer, kept for compatibility (``compose_answer``, ``chunk_text``).

New code uses :mod:`services.gateway.answers`, which answers every dialogue decision; the text
safety helpers live in :mod:`services.gateway.listing_text` and are re-exported here.

The grounded offline answerer: composes an answer from the retrieved products alone.

Used when no LLM is configured (``degraded: "no-llm"``) and as the fallback when the LLM times
out or fails. It only states facts from structured fields (title, brand, type, price, colour,
material) and, for a question about a feature, whether the listing mentions it. Listing text
that reads like instructions is never quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ml.catalog.product import Product
from ml.retrieval.types import SearchFilters
from services.gateway.answers import format_price
from services.gateway.listing_text import (
    INSTRUCTION_LIKE,
    STOPWORDS,
    content_terms,
    looks_like_instruction,
    mentions,
)
from services.gateway.listing_text import product_text as _product_text

__all__ = [
    "INSTRUCTION_LIKE",
    "STOPWORDS",
    "answer_about_product",
    "chunk_text",
    "compose_answer",
    "content_terms",
    "describe_filters",
    "looks_like_instruction",
    "mentions",
]


def _money(value: float) -> str:
    return format_price(value)


def _name(product: Product) -> str:
    if looks_like_instruction(product.title):  # never repeat an injected title as our own words
        return f"this {product.display_type}"
    brand = (
        f" by {product.brand}" if product.brand and product.brand.lower() not in product.title.lower() else ""
    )
    return f"{product.title}{brand}"


def _attributes(product: Product) -> str:
    parts = [product.display_type]
    colour = ", ".join(product.colors) or product.color_text
    if colour:
        parts.append(colour)
    if product.material:
        parts.append(product.material)
    return ", ".join(p for p in parts if p)


def _evidence(product: Product, term: str) -> str | None:
    """A short, safe bullet mentioning ``term``, if the listing has one."""
    for bullet in product.bullets:
        if mentions(bullet.lower(), term) and not looks_like_instruction(bullet):
            snippet = bullet.strip()
            return snippet if len(snippet) <= 120 else snippet[:117].rstrip() + "…"
    return None


def describe_filters(filters: SearchFilters | None) -> str:
    if filters is None or filters.is_empty():
        return ""
    parts = []
    if filters.price_min is not None and filters.price_max is not None:
        parts.append(f"between {_money(filters.price_min)} and {_money(filters.price_max)}")
    elif filters.price_max is not None:
        parts.append(f"under {_money(filters.price_max)}")
    elif filters.price_min is not None:
        parts.append(f"over {_money(filters.price_min)}")
    if filters.colors:
        parts.append("in " + " or ".join(filters.colors))
    if filters.brands:
        parts.append("from " + " or ".join(filters.brands))
    if filters.product_types:
        parts.append("of type " + " or ".join(t.replace("_", " ").lower() for t in filters.product_types))
    return " ".join(parts)


def _no_results(query: str, filters: SearchFilters | None) -> str:
    constraint = describe_filters(filters)
    suffix = f" {constraint}" if constraint else ""
    hint = " Try loosening the filters or using different words." if constraint else " Try different words."
    return f'I couldn\'t find any products matching "{query}"{suffix} in the catalog.{hint}'


def answer_about_product(question: str, product: Product) -> str:
    """A question about one product ("the second one — is it waterproof?")."""
    terms = [t for t in content_terms(question) if t not in content_terms(product.display_type)]
    head = f"{_name(product)} [{product.item_id}] is a {_attributes(product)} at {_money(product.price)}."
    if not terms:
        return head
    lines = [head]
    text = _product_text(product)
    for term in terms[:3]:
        if mentions(text, term):
            evidence = _evidence(product, term)
            quote = f' ("{evidence}")' if evidence else ""
            lines.append(f"Its listing mentions {term}{quote}.")
        else:
            lines.append(f"Its listing doesn't mention {term}, so I can't confirm that.")
    return " ".join(lines)


def compose_answer(
    question: str,
    query: str,
    products: Sequence[Product],
    filters: SearchFilters | None = None,
    focus: Product | None = None,
) -> str:
    """A useful, grounded answer citing item ids as ``[ITEM_ID]``."""
    if focus is not None:
        return answer_about_product(question, focus)
    if not products:
        return _no_results(query, filters)
    terms = content_terms(query)
    constraint = describe_filters(filters)
    constraint_text = f" {constraint}" if constraint else ""
    if len(products) == 1:
        p = products[0]
        matched = [t for t in terms if mentions(_product_text(p), t)]
        why = f" It matches {', '.join(matched[:4])}." if matched else ""
        return (
            f'For "{query}"{constraint_text} I found one match: {_name(p)} [{p.item_id}], '
            f"a {_attributes(p)} at {_money(p.price)}.{why}"
        )
    candidates = list(products[:5])
    related = [p for p in candidates if not terms or any(mentions(_product_text(p), t) for t in terms)]
    shown = related or candidates
    loose = [p for p in candidates if p not in shown]
    lines = [
        f'Here are {len(shown)} options for "{query}"{constraint_text}:'
        if len(shown) > 1
        else f'For "{query}"{constraint_text} the best match is:'
    ]
    for i, p in enumerate(shown, start=1):
        title = p.title.lower()
        matched = [t for t in terms if mentions(_product_text(p), t) and not mentions(title, t)]
        extra = f" — its listing mentions {', '.join(matched[:3])}" if matched else ""
        lines.append(f"{i}. {_name(p)} [{p.item_id}]: {_attributes(p)}, {_money(p.price)}{extra}.")
    if loose:
        lines.append(
            f"I also found {len(loose)} loosely related item{'s' if len(loose) > 1 else ''} "
            f"that {'don' if len(loose) > 1 else 'doesn'}'t mention {' or '.join(terms[:3])}."
        )
    cheapest = min(shown, key=lambda p: p.price)
    priciest = max(shown, key=lambda p: p.price)
    top = shown[0]
    comparison = f"The closest match is {_name(top)} [{top.item_id}]"
    if cheapest.item_id != top.item_id:
        comparison += f"; the cheapest is {_name(cheapest)} [{cheapest.item_id}] at {_money(cheapest.price)}"
    if priciest.item_id not in (top.item_id, cheapest.item_id):
        comparison += (
            f", and {_name(priciest)} [{priciest.item_id}] is the priciest at {_money(priciest.price)}"
        )
    lines.append(comparison + ".")
    if any(p.price_is_synthetic for p in shown):
        lines.append("(Prices are illustrative: the catalog has no real prices.)")
    return "\n".join(lines)


def chunk_text(text: str, words_per_chunk: int = 3) -> Iterator[str]:
    """Split an answer into stream chunks that concatenate back to exactly ``text``."""
    pieces = re.findall(r"\S+\s*|\s+", text)
    for start in range(0, len(pieces), words_per_chunk):
        yield "".join(pieces[start : start + words_per_chunk])
