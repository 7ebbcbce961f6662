"""Deterministic synthetic prices (ABO has no price field).

A price depends only on the item id and its product type: each type has a plausible range,
and a stable hash of the item id picks a point in it (log-uniform), rounded to a ``.99``
or ``.49`` ending. Re-ingesting the same catalog always yields the same prices.
"""

from __future__ import annotations

import hashlib
import math

# (low, high) in USD. Types not listed fall back to DEFAULT_RANGE.
PRICE_RANGES: dict[str, tuple[float, float]] = {
    "CELLULAR_PHONE_CASE": (6, 45),
    "SHOES": (25, 180),
    "BOOT": (45, 240),
    "SANDAL": (15, 90),
    "CHAIR": (45, 450),
    "SOFA": (300, 2200),
    "TABLE": (60, 900),
    "DESK": (90, 700),
    "BED_FRAME": (150, 1400),
    "LAMP": (18, 220),
    "RUG": (30, 600),
    "PILLOW": (12, 90),
    "BLANKET": (20, 160),
    "BACKPACK": (25, 180),
    "HANDBAG": (30, 400),
    "WATCH": (40, 600),
    "HEADPHONES": (20, 400),
    "SPEAKERS": (25, 500),
    "GROCERY": (3, 40),
    "KITCHEN": (10, 250),
    "JACKET": (35, 350),
    "SHIRT": (12, 80),
    "HOME": (10, 200),
    "HOME_BED_AND_BATH": (12, 180),
    "FURNITURE": (60, 1200),
}
DEFAULT_RANGE: tuple[float, float] = (10, 150)


def _unit_hash(text: str) -> float:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def synthetic_price(item_id: str, product_type: str) -> float:
    low, high = PRICE_RANGES.get(product_type.upper(), DEFAULT_RANGE)
    u = _unit_hash(f"{product_type.upper()}:{item_id}")
    raw = math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
    ending = 0.99 if _unit_hash(item_id) < 0.7 else 0.49
    return round(math.floor(raw) + ending, 2)
