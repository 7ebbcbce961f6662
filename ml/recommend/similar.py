"""Similar items: nearest neighbours of an item's vector in the vector index.

Same product type as the item (a sofa's neighbours are sofas), the caller's filters respected
(merged with the type), the item itself and its colour/size variants left out, and variants
among the neighbours collapsed to the closest one. An item made for a device (a case for the
iPhone 13) has neighbours for that device or for none named, never for another model: a case for
the iPhone 15 is no alternative to an iPhone 13 case.
"""

from __future__ import annotations

from dataclasses import dataclass

from ml.catalog.product import Product
from ml.recommend.complements import named_devices
from ml.recommend.variants import collapse_variants
from ml.recommend.vectors import ItemVectors
from ml.retrieval.protocols import VectorIndex
from ml.retrieval.types import SearchFilters

POOL_FACTOR = 4
DEVICE_POOL_FACTOR = 12  # device-specific items drop other models' neighbours: look further


@dataclass(frozen=True)
class Scored:
    product: Product
    score: float
    source: str


def similar(
    item: Product,
    k: int,
    index: VectorIndex,
    vectors: ItemVectors,
    filters: SearchFilters | None = None,
    same_type: bool = True,
) -> list[Scored]:
    """Up to ``k`` neighbours of ``item`` (cosine score), best first."""
    vector = vectors.of([item])[0]
    wanted = SearchFilters(product_types=[item.product_type]) if same_type else SearchFilters()
    merged = wanted.merged(filters) if filters is not None else wanted
    if same_type and filters is not None and filters.product_types:
        # an explicit type filter wins only when it includes the item's own type
        keep = [t for t in filters.product_types if t.upper() == item.product_type.upper()]
        merged = merged.model_copy(update={"product_types": keep or [item.product_type]})
    devices = named_devices(item)
    pool = k * (DEVICE_POOL_FACTOR if devices else POOL_FACTOR)
    hits = index.search(vector, max(pool, k + 10), merged)
    by_id = {h.item_id: h for h in hits}
    products = [h.product for h in hits if h.product is not None]
    if devices:  # for the same device, or for none named
        products = [p for p in products if (named_devices(p) & devices) or not named_devices(p)]
    kept = collapse_variants(products, seen=[item])
    return [Scored(p, float(by_id[p.item_id].score), "similar") for p in kept[:k]]
