"""Does a retrieved product fit the shopper's slots? The constraints indexes can't express.

Price, type, brand and colour are filters inside both index halves. What remains is checked
on the fused results, using the same slot extractors on the product's own title (and, for
compatibility, its bullets), so "iPhone 13" means the same thing on both sides:

* hard: an excluded colour, material, brand or term ("not pink", "not leather", "without a
  lid"), a device model other than
  the one asked for (a case for the 13 Pro does not fit the 13), a capacity below the need
  ("family of four" rules out a 2-person tent), an audience that contradicts the asked one;
* soft: a size that differs, a product naming no device when one was asked for, a listing
  whose title has the shopper's word only as the modifier of another thing's name ("coffee" in
  "coffee table" among coffee pods and cold brew) — ranked after the products that fit, never
  dropped.
"""

from __future__ import annotations

import re
from collections import Counter, OrderedDict
from threading import Lock
from typing import TYPE_CHECKING

from ml.catalog.product import Product
from ml.retrieval.types import Hit
from ml.understanding.devices import compatible
from ml.understanding.sizes import find_capacity, size_matches
from ml.understanding.slots import extract_slots
from ml.understanding.types import Slots
from ml.understanding.understand import identifier_terms
from ml.understanding.vocab import normalize, singular, tokenize

if TYPE_CHECKING:
    from ml.understanding.vocab import CatalogVocabulary

_ADULT, _CHILD = {"men", "women"}, {"kids", "baby"}
# An audience a listing names that rules it out for the asked one ("men's boots": not kids').
_OPPOSITE = {"women": {"men"} | _CHILD, "men": {"women"} | _CHILD, "kids": _ADULT, "baby": _ADULT}
_CACHE_SIZE = 20_000


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _mentions(words: set[str], term: str) -> bool:
    parts = re.findall(r"[a-z0-9]+", term.lower())
    if not parts:
        return False
    return all(p in words or (p.endswith("s") and p[:-1] in words) or f"{p}s" in words for p in parts)


class ProductSlots:
    """Slots read off product titles, cached per item (titles don't change between turns)."""

    def __init__(self) -> None:
        self._cache: OrderedDict[str, Slots] = OrderedDict()
        self._lock = Lock()

    def of(self, product: Product, vocab: CatalogVocabulary | None) -> Slots:
        with self._lock:
            cached = self._cache.get(product.item_id)
        if cached is not None:
            return cached
        if vocab is None:
            slots = Slots()
        else:
            slots, _ = extract_slots(product.title, vocab)
            if slots.capacity is None:  # "Seats six comfortably" is usually a bullet
                found = find_capacity(normalize(" . ".join(product.bullets[:8])))
                if found is not None:
                    slots = slots.model_copy(update={"capacity": found[2]})
        with self._lock:
            self._cache[product.item_id] = slots
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return slots


_PRODUCT_SLOTS = ProductSlots()


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def names_identifier(product: Product, identifier: str) -> bool:
    """The listing's title, model number or model name carries the code, hyphens or not."""
    code = _compact(identifier)
    fields = (product.title, product.model_number or "", product.model_name or "")
    return bool(code) and any(code in _compact(f) for f in fields)


def size_state(product: Product, wanted: Slots, vocab: CatalogVocabulary | None) -> bool | None:
    """True: the listing names a wanted size; False: it names only other sizes; None: no size."""
    if not wanted.sizes:
        return None
    own = _PRODUCT_SLOTS.of(product, vocab)
    if not own.sizes:
        return None
    return any(size_matches(w, o) for w in wanted.sizes for o in own.sizes)


def fit(product: Product, wanted: Slots, vocab: CatalogVocabulary | None) -> tuple[bool, int]:
    """``(acceptable, soft_penalty)``: hard violations make it unacceptable; softer ones rank it lower."""
    title_words = _words(product.title)
    colours = {c.lower() for c in product.colors}
    for colour in wanted.exclude_colors:
        if colour.lower() in colours or _mentions(title_words, colour):
            return False, 0
    text_words = title_words | _words(product.material or "") | _words(" ".join(product.keywords))
    for term in wanted.exclude_terms:
        if _mentions(text_words, term):
            return False, 0
    material_words = _words(product.material or "") | title_words
    for material in wanted.exclude_materials:
        if _mentions(material_words, material):
            return False, 0
    brand = (product.brand or "").lower().replace(" ", "")
    if brand and any(b.lower().replace(" ", "") == brand for b in wanted.exclude_brands):
        return False, 0
    penalty = 0
    needs_product_slots = wanted.device_models or wanted.audience or wanted.sizes or wanted.capacity
    own = _PRODUCT_SLOTS.of(product, vocab) if needs_product_slots else Slots()
    if wanted.device_models:
        own_models = [m.lower() for m in own.device_models]
        if own_models and not any(compatible(m.lower(), own_models) for m in wanted.device_models):
            return False, 0
        if not own_models:
            penalty += 2
    if wanted.capacity is not None:
        if own.capacity is not None and own.capacity < wanted.capacity:
            return False, 0
        if own.capacity is None:  # the listing doesn't say how many it holds
            penalty += 1
    if wanted.audience:
        own_audience = set(own.audience) - {"unisex"}
        asked = set(wanted.audience)
        conflicts = set().union(*(_OPPOSITE.get(a, set()) for a in asked))
        if own_audience and own_audience & conflicts and not own_audience & asked:
            return False, 0
    if size_state(product, wanted, vocab) is False:
        penalty += 1
    return True, penalty


def _mentions_of(product: Product, needs: set[str], vocab: CatalogVocabulary) -> tuple[int, int]:
    """How often the title has one of the shopper's words, and how often only as the first word
    of a two-word catalog type name whose head the shopper did not say ("coffee" in "coffee table")."""
    tokens = [singular(t) for t in tokenize(normalize(product.title))]
    seen = modifier = 0
    for i, token in enumerate(tokens):
        if token not in needs:
            continue
        seen += 1
        head = tokens[i + 1] if i + 1 < len(tokens) else ""
        if head and head not in needs and vocab.types_for(f"{token} {head}"):
            modifier += 1
    return seen, modifier


def other_sense_hits(hits: list[Hit], need_terms: list[str], vocab: CatalogVocabulary | None) -> set[str]:
    """Items whose titles use the shopper's word only to name another kind of thing.

    "coffee" is in both "Organic Coffee Pods" and "Round Coffee Table". Which sense the shopper
    means is read from the candidates themselves: the product type most of the listings that
    mention the word belong to. A listing of another type that has the word only as a modifier
    ("coffee table" among coffee pods and cold brew) is about the other thing.
    """
    if vocab is None or not need_terms:
        return set()
    needs = {singular(t.lower()) for t in need_terms}
    counted = {h.item_id: _mentions_of(h.product, needs, vocab) for h in hits}
    types = Counter(h.product.product_type for h in hits if counted[h.item_id][0])
    if len(types) < 2:
        return set()
    main_type = types.most_common(1)[0][0]
    return {
        h.item_id
        for h in hits
        if h.product.product_type != main_type and counted[h.item_id][0] == counted[h.item_id][1] > 0
    }


def rank_by_fit(
    hits: list[Hit], wanted: Slots, vocab: CatalogVocabulary | None, need_terms: list[str] | None = None
) -> list[Hit]:
    """Hits that fit, best-fitting first (stable within a penalty), ranks renumbered.

    A listing naming an identifier among the shopper's ``need_terms`` ("R52-W59407") comes first. A size is a
    soft constraint until some candidate names the wanted size: then listings naming only other
    sizes go (a listing naming no size stays, after them). With no product type named,
    ``need_terms`` (the shopper's free words) rank a listing that has them only as a modifier of
    another type's name after the rest (:func:`other_sense_hits`).
    """
    scored: list[tuple[int, int, Hit]] = []
    identifiers = identifier_terms(need_terms or [])
    sized = wanted.sizes and any(size_state(h.product, wanted, vocab) for h in hits)
    other_sense = set() if wanted.product_types else other_sense_hits(hits, list(need_terms or []), vocab)
    for position, hit in enumerate(hits):
        ok, penalty = fit(hit.product, wanted, vocab)
        if ok and sized and size_state(hit.product, wanted, vocab) is False:
            ok = False
        if ok and identifiers and any(names_identifier(hit.product, i) for i in identifiers):
            penalty -= 10
        if ok and hit.item_id in other_sense:
            penalty += 1
        if ok:
            scored.append((penalty, position, hit))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [h.model_copy(update={"rank": i}) for i, (_, _, h) in enumerate(scored, start=1)]
