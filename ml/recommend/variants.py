"""Near-duplicate variants: the same item in another colour or size is one recommendation.

Two listings are variants when they share a model number, or when their titles are equal once
colour words, size words, numbers-with-units ("5x8", "20mm", "3 pack") and punctuation are
removed (and the brand is the same). Bare numbers stay: "iPhone 12" and "iPhone 13" differ.
Colour words come from the catalog's own colours when given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ml.catalog.product import Product

BASE_COLOURS = frozenset(
    [
        "black",
        "white",
        "grey",
        "gray",
        "silver",
        "gold",
        "rose",
        "red",
        "pink",
        "blue",
        "navy",
        "green",
        "olive",
        "yellow",
        "orange",
        "purple",
        "violet",
        "brown",
        "tan",
        "beige",
        "cream",
        "ivory",
        "charcoal",
        "teal",
        "turquoise",
        "burgundy",
        "maroon",
        "khaki",
        "clear",
        "transparent",
        "multicolor",
        "multicolour",
        "natural",
        "walnut",
        "oak",
        "espresso",
        "dusty",
        "light",
        "dark",
        "matte",
    ]
)
SIZE_WORDS = frozenset(
    [
        "xs",
        "s",
        "m",
        "l",
        "xl",
        "xxl",
        "xxxl",
        "small",
        "medium",
        "large",
        "extra",
        "x-large",
        "petite",
        "plus",
        "tall",
        "short",
        "wide",
        "narrow",
        "twin",
        "full",
        "queen",
        "king",
        "cal",
        "california",
        "single",
        "double",
        "pack",
        "set",
        "piece",
        "pcs",
        "count",
    ]
)
# sizes: "5x8", "8 x 10 ft", "20mm", "3 pack", "8.8 oz" — a bare number ("iPhone 13") is a model, kept
_UNIT = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:'|\")?\s*x\s*\d+(?:[.,]\d+)?\s*(?:'|\"|in|ft|cm|m)?"
    r"|\b\d+(?:[.,]\d+)?\s*(?:\"|inch|inches|in|ft|feet|cm|mm|oz|ml|lb|lbs|kg|g|pack|pcs|pc|count|ct)\b"
)
_WORD = re.compile(r"[a-z0-9]+")


def variant_key(product: Product, colour_words: Iterable[str] = ()) -> str:
    """A key shared by colour/size variants of one item (brand + title stripped of them)."""
    drop = BASE_COLOURS | SIZE_WORDS | {c.lower() for c in colour_words}
    for colour in product.colors:
        drop |= set(colour.lower().split())
    if product.color_text:
        drop |= set(_WORD.findall(product.color_text.lower()))
    title = _UNIT.sub(" ", product.title.lower())
    words = [w for w in _WORD.findall(title) if w not in drop]
    return f"{(product.brand or '').lower().strip()}|{' '.join(words)}"


def same_item(a: Product, b: Product) -> bool:
    """Whether ``b`` is a variant (or the same listing) of ``a``."""
    if a.item_id == b.item_id:
        return True
    if a.model_number and b.model_number and a.model_number.strip().lower() == b.model_number.strip().lower():
        return (a.brand or "").lower() == (b.brand or "").lower()
    return variant_key(a) == variant_key(b)


def collapse_variants(products: Iterable[Product], seen: Iterable[Product] = ()) -> list[Product]:
    """Keep the first of each variant group, dropping variants of anything in ``seen`` too."""
    kept: list[Product] = []
    blocked = list(seen)
    for product in products:
        if any(same_item(other, product) for other in blocked):
            continue
        kept.append(product)
        blocked.append(product)
    return kept
