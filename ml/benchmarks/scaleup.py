"""Synthetic catalog scale-up for latency benchmarks (10k / 100k products from the sample).

Variants copy a real product with a new id, a colour/size/edition suffix in the title and a
different synthetic price. Their vectors are the base product's embedding plus small
Gaussian noise (re-normalised) unless ``embed_all`` is set: search latency depends on index
size and vector geometry, not on whether every variant went through the model.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from ml.catalog.pricing import synthetic_price
from ml.catalog.product import Product

SUFFIXES = [
    "Black",
    "White",
    "Navy",
    "Red",
    "Large",
    "Small",
    "Pro",
    "Lite",
    "2-Pack",
    "Deluxe",
    "XL",
    "Mini",
]


def variants(base: Sequence[Product], total: int, seed: int = 7) -> Iterator[tuple[int, Product]]:
    """Yield ``(base_index, product)`` until ``total`` products (the originals come first)."""
    rng = np.random.default_rng(seed)
    for i in range(total):
        b = i % len(base)
        original = base[b]
        if i < len(base):
            yield b, original
            continue
        suffix = SUFFIXES[int(rng.integers(len(SUFFIXES)))]
        item_id = f"SX{i:08d}"
        yield (
            b,
            original.model_copy(
                update={
                    "item_id": item_id,
                    "title": f"{original.title} ({suffix}, v{i // len(base)})",
                    "price": synthetic_price(item_id, original.product_type),
                }
            ),
        )


def noisy(vectors: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    out = vectors + rng.normal(scale=sigma, size=vectors.shape).astype(np.float32)
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)
