"""Train / held-out split by product (never by triplet), stable across runs and catalogs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ml.catalog.product import Product


def heldout_bucket(item_id: str, seed: int = 0) -> float:
    digest = hashlib.sha256(f"{seed}:{item_id}".encode()).hexdigest()
    return int(digest[:8], 16) / 0xFFFFFFFF


def split_products(
    products: Sequence[Product], heldout_fraction: float = 0.2, seed: int = 0
) -> tuple[list[Product], list[Product]]:
    """``(train, heldout)``; a product's side depends only on its id and the seed."""
    if not 0.0 < heldout_fraction < 1.0:
        raise ValueError("heldout_fraction must be between 0 and 1")
    train: list[Product] = []
    heldout: list[Product] = []
    for product in products:
        (heldout if heldout_bucket(product.item_id, seed) < heldout_fraction else train).append(product)
    return train, heldout
