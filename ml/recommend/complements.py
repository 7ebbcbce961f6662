"""Complements ("goes with"): items made for, or used with, an item — mined from the catalog.

Nothing here is a hand list of type pairs. Three signals are read from the listings:

1. **"Made for" phrases.** In a product's title, keywords and bullets, the words after a
   purpose cue (``for``, ``fits``, ``compatible with``, ``works with``, ``under``, ``designed
   for`` …) are parsed with the catalog's own slot extractor
   (:func:`ml.understanding.slots.extract_slots` over
   :class:`~ml.understanding.vocab.CatalogVocabulary` built from these products); a word that
   could name several types ("free") names none. A rug pad
   whose title says "for hardwood floors under area rugs" names ``RUG``; a coffee filter that
   "fits pour-over drippers" names the dripper's type. Each such product gets an item-level
   edge to the named type, and the share of its own type making that claim is the type-level
   support (how typical the pairing is).
2. **Device compatibility.** Device models in title and keywords
   (:func:`ml.understanding.devices.device_models`, exact: iPhone 13 ≠ iPhone 13 Pro ≠ iPhone
   12) link products of *different* types for the same model — a case and a screen protector
   for the iPhone 13. When both sides name models and none is shared, they are not complements.
3. **Node-path proximity** (shared leading categories of ``node_path``) breaks ties: companions
   usually sit in the same department.

Complements are symmetric ("goes with"): a rug's complements are the rug pads that name rugs,
and a rug pad's complements are rugs. Own-type items are never complements (those are
"similar"), colour/size variants are collapsed, and a device-specific accessory is only offered
for a matching device.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ml.catalog.product import Product
from ml.logging import get_logger
from ml.recommend.variants import collapse_variants
from ml.understanding.devices import device_models
from ml.understanding.slots import extract_slots
from ml.understanding.vocab import CatalogVocabulary, normalize

log = get_logger(__name__)

CUES = (
    "designed for",
    "made for",
    "compatible with",
    "works with",
    "pairs with",
    "goes with",
    "perfect for",
    "ideal for",
    "for use with",
    "for",
    "fits",
    "under",
    "beneath",
    "underneath",
)
_CUE = re.compile(r"\b(?:" + "|".join(re.escape(c) for c in CUES) + r")\s+((?:[a-z0-9'+-]+\s*){1,5})")
WINDOW_WORDS = 5
MAX_BULLETS = 6


def made_for_types(product: Product, vocab: CatalogVocabulary) -> set[str]:
    """Other product types this listing says it is for (parsed from its purpose phrases)."""
    texts = [product.title, *product.keywords, *product.bullets[:MAX_BULLETS]]
    found: set[str] = set()
    for text in texts:
        for match in _CUE.finditer(normalize(text)):
            window = " ".join(match.group(1).split()[:WINDOW_WORDS])
            slots, _ = extract_slots(window, vocab)
            named = [t for t in slots.product_types if t != product.product_type]
            if len(named) == 1 and len(slots.product_types) == 1:  # an ambiguous word names no type
                found.add(named[0])
    return found


def named_devices(product: Product) -> set[str]:
    """The device models a listing names in its title and keywords (iPhone 13, Galaxy S22 …)."""
    return set(device_models(normalize(" ".join([product.title, *product.keywords]))))


def _path_overlap(a: str | None, b: str | None) -> int:
    if not a or not b:
        return 0
    pa, pb = [x for x in a.split("/") if x], [x for x in b.split("/") if x]
    n = 0
    for x, y in zip(pa, pb, strict=False):
        if x != y:
            break
        n += 1
    return n


@dataclass
class ComplementMiner:
    """Mined once per catalog (re-mined on re-ingest); ``complements`` answers per item."""

    products: dict[str, Product]
    made_for: dict[str, set[str]]  # item_id → types it says it is for
    devices: dict[str, set[str]]  # item_id → device models
    support: dict[tuple[str, str], float]  # (accessory type, target type) → share of the type
    by_type: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_products(
        cls, products: Sequence[Product], vocab: CatalogVocabulary | None = None
    ) -> ComplementMiner:
        vocab = vocab or CatalogVocabulary.from_products(products)
        items = {p.item_id: p for p in products}
        made_for = {p.item_id: made_for_types(p, vocab) for p in products}
        devices = {p.item_id: named_devices(p) for p in products}
        type_count: dict[str, int] = defaultdict(int)
        claims: dict[tuple[str, str], int] = defaultdict(int)
        by_type: dict[str, list[str]] = defaultdict(list)
        for p in products:
            type_count[p.product_type] += 1
            by_type[p.product_type].append(p.item_id)
            for target in made_for[p.item_id]:
                claims[(p.product_type, target)] += 1
        support = {pair: n / type_count[pair[0]] for pair, n in claims.items()}
        log.info("complements.mined", products=len(items), edges=len(support))
        return cls(items, made_for, devices, support, dict(by_type))

    def _type_link(self, a: str, b: str) -> float:
        return max(self.support.get((a, b), 0.0), self.support.get((b, a), 0.0))

    def score(self, item: Product, other: Product) -> float:
        """How strongly ``other`` goes with ``item`` (0: not a complement)."""
        if other.product_type == item.product_type or other.item_id == item.item_id:
            return 0.0
        mine, theirs = self.devices.get(item.item_id, set()), self.devices.get(other.item_id, set())
        device = 0.0
        if mine and theirs:
            if not mine & theirs:
                return 0.0  # accessories for another model
            device = 2.0
        direct = 0.0
        if item.product_type in self.made_for.get(other.item_id, set()):
            direct = 1.0
        elif other.product_type in self.made_for.get(item.item_id, set()):
            direct = 0.6
        link = self._type_link(item.product_type, other.product_type)
        if device == 0.0 and direct == 0.0 and link < 0.2:
            return 0.0
        if device == 0.0 and (mine or theirs) and direct == 0.0:
            return 0.0  # one side is device-specific and nothing else ties them
        return device + direct + link + 0.05 * _path_overlap(item.node_path, other.node_path)

    def complements(self, item_id: str, k: int = 10) -> list[tuple[Product, float]]:
        item = self.products.get(item_id)
        if item is None:
            return []
        candidate_types = {t for (a, t) in self.support if a == item.product_type}
        candidate_types |= {a for (a, t) in self.support if t == item.product_type}
        ids: list[str] = []
        for t in candidate_types:
            ids.extend(self.by_type.get(t, []))
        if self.devices.get(item_id):
            mine = self.devices[item_id]
            ids.extend(i for i, d in self.devices.items() if d & mine)
        scored = []
        for other_id in dict.fromkeys(ids):
            s = self.score(item, self.products[other_id])
            if s > 0:
                scored.append((s, other_id))
        scored.sort(key=lambda x: (-x[0], self.products[x[1]].price, x[1]))
        ordered = collapse_variants([self.products[i] for _, i in scored], seen=[item])
        best = dict((i, s) for s, i in scored)
        return [(p, round(best[p.item_id], 4)) for p in ordered[:k]]
