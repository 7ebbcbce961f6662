"""Shopper-style queries generated from a product's attributes (or a variant of its title).

Each query remembers which attributes it asks for, so relevance can be judged beyond the
product it came from: another product of the same type with the same asked-for attributes
is also a right answer (grade 2), the source product is the best one (grade 3).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ml.catalog.product import Product

SOURCE_GRADE = 3
MATCH_GRADE = 2
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'&-]*")


@dataclass(frozen=True)
class ShopperQuery:
    qid: str
    text: str
    item_id: str
    kind: str
    asked: dict[str, str] = field(default_factory=dict)
    """Attribute → value the query asks for (``type`` always; ``color``/``material``/``brand``/``style``)."""


def _seed(*parts: str) -> int:
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:12], 16)


def _noun(product: Product) -> str:
    """A shopper's noun for the product: the last keyword-ish phrase of the title, else the type."""
    keywords = [k for k in product.keywords if 0 < len(k.split()) <= 3]
    if keywords:
        return min(keywords, key=len).lower()
    return product.display_type


def _color(product: Product) -> str | None:
    if product.colors:
        return product.colors[0].lower()
    return product.color_text.lower() if product.color_text else None


def _title_variant(product: Product, rng: random.Random) -> str:
    words = _WORD.findall(product.title)
    if product.brand:
        brand_words = {w.lower() for w in _WORD.findall(product.brand)}
        words = [w for w in words if w.lower() not in brand_words] or words
    keep = min(len(words), rng.randint(3, 5))
    start = rng.randint(0, max(0, len(words) - keep))
    return " ".join(words[start : start + keep]).lower()


def queries_for(product: Product, per_product: int = 3, seed: int = 0) -> list[ShopperQuery]:
    """Up to ``per_product`` distinct queries for one product (deterministic per item and seed)."""
    rng = random.Random(_seed(product.item_id, str(seed)))
    noun = _noun(product)
    color = _color(product)
    material = (product.material or "").split(",")[0].strip().lower() or None
    style = (product.style or "").lower() or None
    brand = product.brand
    candidates: list[tuple[str, str, dict[str, str]]] = []

    def add(kind: str, text: str, **asked: str | None) -> None:
        if all(asked.values()):
            candidates.append((kind, text, {k: str(v) for k, v in asked.items()}))

    add("color", f"{color} {noun}", color=color)
    add("material", f"{material} {noun}", material=material)
    add("color+material", f"{color} {material} {noun}", color=color, material=material)
    add("brand", f"{brand} {noun}", brand=brand)
    add("style+color", f"{style} {noun} in {color}", style=style, color=color)
    add("color+brand", f"{color} {noun} from {brand}", color=color, brand=brand)
    add("need", f"looking for a {material} {noun} that is {color}", material=material, color=color)
    candidates.append(("title", _title_variant(product, rng), {}))
    rng.shuffle(candidates)
    out: list[ShopperQuery] = []
    seen: set[str] = set()
    for kind, text, asked in candidates:
        text = " ".join(text.split())
        if text in seen or not text:
            continue
        seen.add(text)
        asked = {"type": product.product_type, **asked}
        out.append(ShopperQuery(f"{product.item_id}:{len(out)}", text, product.item_id, kind, asked))
        if len(out) >= per_product:
            break
    return out


def generate_queries(products: Iterable[Product], per_product: int = 3, seed: int = 0) -> list[ShopperQuery]:
    return [q for p in products for q in queries_for(p, per_product, seed)]


def matches(product: Product, asked: dict[str, str]) -> bool:
    """Whether ``product`` has every attribute the query asks for."""
    for key, value in asked.items():
        if key == "type" and product.product_type != value:
            return False
        if key == "color" and value not in {c.lower() for c in product.colors} | {
            (product.color_text or "").lower()
        }:
            return False
        if key == "material" and value not in (product.material or "").lower():
            return False
        if key == "brand" and (product.brand or "") != value:
            return False
        if key == "style" and (product.style or "").lower() != value:
            return False
    return True


def judgments(query: ShopperQuery, corpus: Sequence[Product]) -> dict[str, int]:
    """Graded judgments: the source product 3; same type with every asked attribute 2."""
    grades = {query.item_id: SOURCE_GRADE}
    if len(query.asked) > 1:  # a title variant only has its own product as the answer
        for product in corpus:
            if product.item_id != query.item_id and matches(product, query.asked):
                grades[product.item_id] = MATCH_GRADE
    return grades
