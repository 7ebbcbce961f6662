"""The offline grounded answerer: a plain-text answer for every dialogue-policy decision.

Pure functions, no I/O. Every fact comes from the products passed in (their structured fields
and, quoted, their bullets), computed here rather than guessed; when a listing does not state
something the answer says "the listing doesn't say". Products are cited as ``[ITEM_ID]`` and
only the ids passed in are ever cited. Listing text that reads like an instruction to the
assistant is never quoted (see :mod:`services.gateway.listing_text`). Nothing here states an
order status, a delivery date or stock: ShopTalk has no order system.

The decisions and their answers (all return plain text):

* search / refine
  - ``results_answer(need, products, slots, *, alternatives=False, total_matches=None)``: "Here are 4
    grey sofas under $700.00, not pink:" + one line per product + best match / cheapest. Constraints
    are stated only when every product meets them; ``alternatives`` says they are close
    alternatives and how each differs.
  - ``no_match_answer(need, slots, catalog_types, suggestions=None)``: "I couldn't find … — ShopTalk
    carries …"; suggestions are labelled "(not matches)".
  - ``rephrase_answer(text, catalog_types=())``: nonsense input.
* ask_about
  - ``detail_answer(question, attribute, products, *, device_models=())``: price, material, color,
    brand, dimensions/size, weight, compatibility (exact device models), capacity, features
    (quotes the bullet; "the listing doesn't say" otherwise), general (a fact sheet).
  - ``comparison_answer(products)``: 2-3 items, one line per difference, then what they share.
  - ``superlative_answer(kind, products, scope_label="of these")`` and
    ``superlative_winners(kind, products)`` (the items it names, ties kept).
* replies without products: ``chit_chat_answer(text)``, ``service_answer(topic_or_text)``,
  ``handoff_answer(status, reason=None)`` (offered / opened / already_open / declined / unavailable /
  closed), ``out_of_scope_answer(text, catalog_types=())``; ``reply_answer(kind, text,
  catalog_types)`` dispatches the policy's reply kinds.

Helpers: ``format_price`` (one price format everywhere, ``$1,323.49``), ``type_name``, ``plural``,
``describe_need``, ``dimensions_text``, ``weight_text``, ``fact_sheet``. To check an LLM's answer
against the same data see :mod:`services.gateway.answer_check`.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence
from typing import Literal

from ml.catalog.product import Dimensions, Product, Weight
from ml.understanding.types import Attribute, PriceSlot, Slots, Superlative
from services.gateway.device_mentions import (
    Device,
    bare_models,
    find_devices,
    parse_device,
    phrase_mention,
    phrase_named,
)
from services.gateway.listing_text import content_terms, product_text, safe_bullets, safe_text

SYNTHETIC_PRICE_NOTE = "(Prices are illustrative: the catalog has no real prices.)"
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}
MAX_TITLE = 110
SHORT_TITLE = 48
TYPE_NAMES = {  # ABO product types whose plain form reads badly
    "CELLULAR_PHONE_CASE": "phone case",
    "HOME_FURNITURE_AND_DECOR": "home decor",
    "SHOES": "shoes",
    "HEADPHONES": "headphones",
    "SPEAKERS": "speakers",
    "BED_FRAME": "bed frame",
    "GROCERY": "grocery item",
    "KITCHEN": "kitchen item",
    "HOME": "home item",
    "ACCESSORY": "accessory",
    "AUTO_ACCESSORY": "car accessory",
}
PLURAL_SAME = frozenset(
    {"shoes", "headphones", "speakers", "jeans", "pants", "trousers", "glasses", "scissors"}
)
HandoffStatus = Literal["offered", "opened", "already_open", "declined", "unavailable", "closed"]


# --------------------------------------------------------------------------- formatting


def format_price(value: float, currency: str = "USD") -> str:
    """``1323.49`` → ``$1,323.49`` (yen without decimals)."""
    symbol = CURRENCY_SYMBOLS.get(currency.upper(), currency.upper() + " ")
    if currency.upper() == "JPY":
        return f"{symbol}{value:,.0f}"
    return f"{symbol}{value:,.2f}"


def plural(noun: str) -> str:
    """English plural of a type noun ("sofa" → "sofas", "glass" → "glasses", "shoes" stays)."""
    words = noun.split()
    if not words:
        return noun
    last = words[-1]
    low = last.lower()
    if low in PLURAL_SAME or (low.endswith("s") and not low.endswith(("ss", "us", "is"))):
        out = last
    elif low.endswith(("ss", "sh", "ch", "x", "z")):
        out = last + "es"
    elif low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
        out = last[:-1] + "ies"
    elif low.endswith("person"):
        out = last[:-6] + "people"
    else:
        out = last + "s"
    return " ".join([*words[:-1], out])


def type_name(product_type: str, *, plural_form: bool = False) -> str:
    """``CELLULAR_PHONE_CASE`` → "phone case" (or "phone cases")."""
    name = TYPE_NAMES.get(product_type.upper(), product_type.replace("_", " ").lower().strip())
    if not name or name == "unknown":
        name = "item"
    return plural(name) if plural_form else name


def _number(value: float) -> str:
    """84.0 → "84", 35.5 → "35.5", 0.25 → "0.25"."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.1f}".rstrip("0").rstrip(".")


UNIT_ABBREVIATIONS = {
    "inches": "in",
    "inch": "in",
    "centimeters": "cm",
    "centimetres": "cm",
    "millimeters": "mm",
    "millimetres": "mm",
    "meters": "m",
    "metres": "m",
    "feet": "ft",
    "pounds": "lb",
    "kilograms": "kg",
    "grams": "g",
    "ounces": "oz",
}


def dimensions_text(dims: Dimensions) -> str:
    """ "84 × 35 × 33 in (L × W × H)", plus the listing's own units when they are not inches."""
    sides = [(dims.length_in, "L"), (dims.width_in, "W"), (dims.height_in, "H")]
    known = [(v, label) for v, label in sides if v is not None]
    text = f"{' × '.join(_number(v) for v, _ in known)} in ({' × '.join(label for _, label in known)})"
    unit = UNIT_ABBREVIATIONS.get(dims.unit or "", dims.unit or "")
    listed = [v for v in (dims.length, dims.width, dims.height) if v is not None]
    if unit and unit != "in" and len(listed) == len(known):
        text += f"; listed as {' × '.join(_number(v) for v in listed)} {unit}"
    return text


def weight_text(weight: Weight) -> str:
    """ "2.66 lb (1.21 kg)" — the listing's own unit added when it is not pounds."""
    text = f"{_number(weight.pounds)} lb"
    unit = UNIT_ABBREVIATIONS.get(weight.unit or "", weight.unit or "")
    if weight.value is not None and unit and unit != "lb":
        text += f" ({_number(weight.value)} {unit})"
    return text


def _title(product: Product, limit: int = MAX_TITLE) -> str:
    """The listing's title as written (any language), or a neutral name if it reads like an instruction."""
    return safe_text(product.title, limit) or f"this {type_name(product.product_type)}"


def product_name(product: Product) -> str:
    """ "Title by Brand" (brand left out when the title already has it)."""
    title = _title(product)
    brand = safe_text(product.brand, 60)
    if brand and brand.lower() not in title.lower():
        return f"{title} by {brand}"
    return title


def short_name(product: Product) -> str:
    """A label for comparisons and summaries: the title without a leading brand, cut at its first
    separator when that leaves enough ("Stone & Beam Bed Frame, Queen" → "Bed Frame")."""
    title = _title(product, 200)
    brand = (product.brand or "").strip()
    if brand and title.lower().startswith(brand.lower()) and len(title) > len(brand) + 8:
        title = title[len(brand) :].lstrip(" -–—:|,")
    cuts = [m.start() for m in re.finditer(r" \| |, | - | – | \(|; ", title) if m.start() >= 14]
    if cuts:
        title = title[: cuts[0]]
    return safe_text(title, SHORT_TITLE) or _title(product, SHORT_TITLE)


def cite(product: Product) -> str:
    return f"[{product.item_id}]"


def _price(product: Product) -> str:
    return format_price(product.price) if product.price > 0 else "no price listed"


def _colour(product: Product) -> str | None:
    return safe_text(product.color_text, 40) or (", ".join(product.colors) or None)


def _material(product: Product) -> str | None:
    parts = [safe_text(product.material, 120), safe_text(product.fabric_type, 120)]
    out: list[str] = []
    for part in parts:
        if part and all(part.lower() not in o.lower() and o.lower() not in part.lower() for o in out):
            out.append(part)
    return ", ".join(out) or None


def _synthetic_note(products: Sequence[Product]) -> list[str]:
    return [SYNTHETIC_PRICE_NOTE] if any(p.price_is_synthetic and p.price > 0 for p in products) else []


def _join(items: Sequence[str], word: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


# --------------------------------------------------------------------------- constraints


def _norm_colour(colour: str) -> str:
    return colour.lower().replace("gray", "grey").strip()


def has_colour(product: Product, colour: str) -> bool:
    want = _norm_colour(colour)
    if any(_norm_colour(c) == want for c in product.colors):
        return True
    text = f"{product.color_text or ''} {product.title}".lower().replace("gray", "grey")
    return re.search(rf"\b{re.escape(want)}\b", text) is not None


def price_phrase(price: PriceSlot | None) -> str:
    """ "under $700", "from $90", "between $100 and $200", "around $100"."""
    if price is None or (price.min is None and price.max is None):
        return ""
    if price.approximate and price.min is not None and price.max is not None:
        return f"around {format_price((price.min + price.max) / 2)}"
    if price.min is not None and price.max is not None:
        return f"between {format_price(price.min)} and {format_price(price.max)}"
    if price.max is not None:
        return f"under {format_price(price.max)}"
    assert price.min is not None
    return f"from {format_price(price.min)}"


def _in_price(product: Product, price: PriceSlot | None) -> bool:
    if price is None:
        return True
    if price.min is not None and product.price < price.min:
        return False
    return not (price.max is not None and product.price > price.max)


def _type_word(slots: Slots) -> str | None:
    for term in slots.type_terms:
        term = safe_text(term, 40) or ""
        if term and not term.isdigit():
            return term.lower()
    return type_name(slots.product_types[0]) if slots.product_types else None


def _honoured(slots: Slots, products: Sequence[Product], strict: bool) -> Slots:
    """The slots every product satisfies (checkable ones), so the answer never over-claims."""
    if not strict or not products:
        return slots
    update: dict[str, object] = {}
    if slots.price is not None and not all(_in_price(p, slots.price) for p in products):
        update["price"] = None
    if slots.colors and not all(any(has_colour(p, c) for c in slots.colors) for p in products):
        update["colors"] = []
    if slots.exclude_colors and any(has_colour(p, c) for p in products for c in slots.exclude_colors):
        update["exclude_colors"] = []
    if slots.product_types and not all(
        p.product_type.upper() in {t.upper() for t in slots.product_types} for p in products
    ):
        update["product_types"], update["type_terms"] = [], []
    if slots.brands and not all(
        (p.brand or "").lower() in {b.lower() for b in slots.brands} for p in products
    ):
        update["brands"] = []
    texts = {p.item_id: product_text(p) for p in products}

    def everywhere(words: Sequence[str]) -> bool:
        return all(any(_said(texts[p.item_id], w) for w in words) for p in products)

    for name in ("materials", "features"):
        values: list[str] = getattr(slots, name)
        if values and not all(everywhere([v]) for v in values):
            update[name] = []
    if slots.device_models and not all(any(_fits(p, d) for d in slots.device_models) for p in products):
        update["device_models"] = []
    audience = [a for a in slots.audience if a != "unisex"]
    if audience and not everywhere([w for a in audience for w in AUDIENCE_WORDS.get(a, (a,))]):
        update["audience"] = []
    if slots.sizes and not all(any(_has_size(texts[p.item_id], z) for z in slots.sizes) for p in products):
        update["sizes"] = []
    if slots.capacity is not None and not all((_capacity_of(p) or 0) >= slots.capacity for p in products):
        update["capacity"] = None
    return slots.model_copy(update=update) if update else slots


AUDIENCE_WORDS = {
    "women": ("women", "woman", "ladies", "womens", "women's"),
    "men": ("men", "man", "mens", "men's"),
    "kids": ("kids", "kid", "children", "child", "boys", "girls", "toddler"),
    "baby": ("baby", "infant", "toddler"),
    "dog": ("dog", "dogs", "puppy"),
    "cat": ("cat", "cats", "kitten"),
}


def _said(text: str, word: str) -> bool:
    return re.search(rf"(?<![a-z]){re.escape(word.lower())}", text) is not None


def _has_size(text: str, size: str) -> bool:
    """ "5x8" is in "Area Rug 5' x 8'"; "queen" in "Queen size"."""
    squash = re.sub(r"[\s'\"″′-]|feet|ft|inch(es)?|in\b", "", text)
    want = re.sub(r"[\s'\"″′-]|feet|ft|inch(es)?|in\b", "", size.lower())
    return bool(want) and want in squash


def _capacity_of(product: Product) -> int | None:
    for text in [product.title, *safe_bullets(product)]:
        match = _CAPACITY.search(text)
        if match and (match.group(1) or match.group(2)):
            return int(match.group(1) or match.group(2))
    return None


def _device_label(raw: str) -> str:
    device = parse_device(raw)
    return device.display if device else (safe_text(raw, 30) or "")


def describe_need(need: str, slots: Slots, *, plural_form: bool = True) -> str:
    """A noun phrase for what the shopper wants: "grey leather sofas under $700, not pink".

    Falls back to the shopper's words in quotes when no product type was understood.
    """
    adjectives = [*(_norm_colour(c) for c in slots.colors), *(m.lower() for m in slots.materials)]
    adjectives.extend(f.lower() for f in slots.features)
    adjectives = [a for a in (safe_text(x, 30) for x in adjectives) if a]
    noun = _type_word(slots)
    after: list[str] = []
    if slots.brands:
        after.append("from " + " or ".join(b for b in (safe_text(x, 40) for x in slots.brands) if b))
    if slots.device_models:
        names = [_device_label(raw) for raw in slots.device_models]
        after.append("for the " + " or ".join(n for n in names if n))
    audience = [a for a in (safe_text(x, 20) for x in slots.audience) if a and a != "unisex"]
    if audience:
        after.append("for " + " and ".join(audience))
    if slots.capacity:
        after.append(f"for {slots.capacity} people")
    if slots.sizes:
        after.append("in size " + " or ".join(slots.sizes))
    price = price_phrase(slots.price)
    if price:
        after.append(price)
    exclusions = [f"not {_norm_colour(c)}" for c in slots.exclude_colors]
    exclusions.extend(f"without {t}" for t in slots.exclude_terms if safe_text(t, 30))
    if noun is None:
        quoted = safe_text(need, 70)
        head = f'options for "{quoted}"' if quoted else "options"
        if adjectives:
            after.insert(0, "in " + " ".join(adjectives))
    else:
        head = " ".join([*adjectives, plural(noun) if plural_form else noun])
    text = " ".join([head, *after])
    if exclusions:
        text += ", " + ", ".join(exclusions)
    return text


def _misses(product: Product, slots: Slots) -> list[str]:
    """How an alternative differs from what was asked ("over your $700 budget", "blue, not grey")."""
    out: list[str] = []
    price = slots.price
    if price is not None and price.max is not None and product.price > price.max:
        out.append(f"over your {format_price(price.max)} budget")
    elif price is not None and price.min is not None and product.price < price.min:
        out.append(f"under your {format_price(price.min)} minimum")
    if slots.colors and not any(has_colour(product, c) for c in slots.colors):
        shown = _colour(product)
        wanted = " or ".join(_norm_colour(c) for c in slots.colors)
        out.append(f"{shown.lower()}, not {wanted}" if shown else f"not listed as {wanted}")
    bad = [c for c in slots.exclude_colors if has_colour(product, c)]
    if bad:
        out.append(f"it is {_norm_colour(bad[0])}")
    if slots.product_types and product.product_type.upper() not in {t.upper() for t in slots.product_types}:
        out.append(f"a {type_name(product.product_type)}, not a {_type_word(slots) or 'match'}")
    if slots.brands and (product.brand or "").lower() not in {b.lower() for b in slots.brands}:
        out.append(f"by {safe_text(product.brand, 40) or 'another brand'}")
    for wanted_device in slots.device_models:
        if _fits(product, wanted_device) is False:
            device = parse_device(wanted_device)
            out.append(f"not listed for the {device.display if device else wanted_device}")
    return out


# --------------------------------------------------------------------------- search results


def _result_line(index: int, product: Product, slots: Slots | None, alternative: bool) -> str:
    details = [_price(product)]
    title_low = product.title.lower()
    colour = _colour(product)
    if colour and colour.lower() not in title_low:
        details.append(colour.lower() if colour.isupper() else colour)
    material = _material(product)
    if material and material.lower() not in title_low:
        details.append(material)
    line = f"{index}. {product_name(product)} {cite(product)} — {', '.join(details)}"
    if alternative and slots is not None:
        misses = _misses(product, slots)
        if misses:
            line += f" ({'; '.join(misses)})"
    return line


def results_answer(
    need: str,
    products: Sequence[Product],
    slots: Slots | None = None,
    *,
    alternatives: bool = False,
    total_matches: int | None = None,
    max_items: int = 5,
) -> str:
    """The answer to a search or refinement: what was honoured, one line per product.

    ``alternatives`` marks the products as close alternatives, not exact matches (each line
    then says how it differs). ``total_matches`` (when known and larger) becomes "the top 5 of 23".
    Constraints are stated only when every listed product satisfies them.
    """
    slots = slots or Slots()
    shown = list(products[:max_items])
    if not shown:
        return no_match_answer(need, slots, [])
    honoured = _honoured(slots, shown, strict=not alternatives)
    n = len(shown)
    if alternatives:
        wanted = describe_need(need, slots).removeprefix("options for ")
        head = (
            f"I couldn't find exact matches for {wanted}. "
            f"Here {'are' if n > 1 else 'is'} {n} close alternative{'s' if n > 1 else ''}, not exact matches:"
        )
    elif n == 1:
        head = f"I found one match for {describe_need(need, honoured, plural_form=False)}:"
    elif total_matches is not None and total_matches > n:
        head = f"Here are the top {n} of {total_matches} {describe_need(need, honoured)}:"
    else:
        head = f"Here are {n} {describe_need(need, honoured)}:"
    lines = [head]
    lines.extend(_result_line(i, p, slots, alternatives) for i, p in enumerate(shown, start=1))
    if n > 1:
        best = shown[0]
        cheapest = _extreme(shown, lambda p: p.price if p.price > 0 else None, lowest=True)
        summary = f"The {'closest' if alternatives else 'best'} match is {short_name(best)} {cite(best)}"
        if cheapest and cheapest[0][0].item_id != best.item_id and len(cheapest[0]) == 1:
            low = cheapest[0][0]
            summary += f"; the cheapest is {short_name(low)} {cite(low)} at {_price(low)}"
        elif cheapest and cheapest[0][0].item_id == best.item_id and len(cheapest[0]) == 1:
            summary += ", which is also the cheapest"
        lines.append(summary + ".")
    lines.extend(_synthetic_note(shown))
    return "\n".join(lines)


def no_match_answer(
    need: str,
    slots: Slots | None = None,
    catalog_types: Sequence[str] = (),
    suggestions: Sequence[Product] | None = None,
    *,
    max_types: int = 8,
) -> str:
    """Nothing in the catalog fits: say so plainly, say what ShopTalk carries, label suggestions.

    ``catalog_types`` are human names ("sofas", "phone cases"); ``suggestions`` are listed as
    alternatives, never as matches.
    """
    slots = slots or Slots()
    if _type_word(slots):
        what = describe_need(need, slots)
    else:
        quoted = safe_text(need, 70)
        what = f'anything matching "{quoted}"' if quoted else "anything matching that"
        extra = describe_need("", slots.model_copy(update={"type_terms": [], "product_types": []}))
        if extra and extra != "options":
            what += f" ({extra.removeprefix('options').strip()})"
    lines = [f"I couldn't find {what} in the ShopTalk catalog."]
    hints: list[str] = []
    if _type_word(slots):
        if slots.price is not None:
            hints.append("a different budget")
        if slots.colors or slots.exclude_colors:
            hints.append("another colour")
        if slots.brands:
            hints.append("another brand")
        if slots.device_models:
            hints.append("another device model")
    types = [t for t in (safe_text(x, 40) for x in catalog_types) if t]
    if types:
        listed = types[:max_types]
        tail = ", and more" if len(types) > max_types else ""
        lines.append(
            f"ShopTalk carries {', '.join(listed)}{tail}." if tail else f"ShopTalk carries {_join(listed)}."
        )
    if hints:
        lines.append(f"You could try {_join(hints, 'or')}.")
    if suggestions:
        items = list(suggestions[:5])
        lines.append(
            "The closest alternatives (not matches):"
            if len(items) > 1
            else "The closest alternative (not a match):"
        )
        lines.extend(_result_line(i, p, slots, True) for i, p in enumerate(items, start=1))
        lines.extend(_synthetic_note(items))
    elif not types and not hints:
        lines.append("Try describing it in other words, or tell me what it's for.")
    return "\n".join(lines)


def rephrase_answer(text: str = "", catalog_types: Sequence[str] = ()) -> str:
    """For input that reads as nonsense: ask to rephrase, with examples."""
    types = [t for t in (safe_text(x, 30) for x in catalog_types) if t][:3]
    examples = (
        f'for example "{types[0]} under $100"' + (f' or "{types[1]} in black"' if len(types) > 1 else "")
        if types
        else 'for example "a grey sofa under $700" or "a clear case for iPhone 13"'
    )
    return f"Sorry, I didn't understand that. Could you rephrase what you're looking for — {examples}?"


# --------------------------------------------------------------------------- detail questions

_DIMENSION_WORDS = {
    "height": ("tall", "high", "height", "heigh"),
    "length": ("long", "length"),
    "width": ("wide", "width", "broad"),
}
_QUALIFIERS = frozenset(
    """deep depth big large small size wide width long length tall high height heavy weight thick many
    much how what does have has come comes with fit fits work works made include includes included
    support supports offer offers feature features listing say says sure know whether tell it's there
    really actually good well any kind type sort two four five option options number pick choice
    please thanks know wondering wonder""".split()  # noqa: SIM905
)
_YES_NO = re.compile(r"^\s*(is|are|does|do|can|will|would|could|has|have|was|were|should)\b", re.I)
_NEGATED = r"\b(?:not|no|non|isn't|aren't|doesn't|without|never)\b[\s-]+(?:\w+[\s-]+){{0,2}}{term}"
_WEAK_CONTEXT = re.compile(
    r"\b(into|in|inside|in your|fits in|fits into|slides into)\s+(?:your\s+|a\s+|the\s+)?$", re.I
)
RELATED_TERMS = {
    "waterproof": ("water-resistant", "water resistant", "water repellent", "splash-proof", "splashproof"),
    "water-resistant": ("waterproof", "water repellent"),
    "washable": ("machine wash", "wipe clean", "spot clean"),
    "wireless": ("bluetooth",),
    "bluetooth": ("wireless",),
    "rechargeable": ("battery", "usb charging"),
}
_CAPACITY = re.compile(
    r"\b(\d{1,2})[\s-]?(?:person|persons|people|man|seater|seat|seats)\b|\bsleeps\s+(\d{1,2})\b"
    r"|\b(\d{1,3}(?:\.\d)?)\s?(?:l|liters?|litres?|qt|quarts?)\b",
    re.I,
)
_SIZE = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:\"|''|in(?:ch(?:es)?)?|cm|ft|')?\s*[x×]\s*\d+(?:\.\d+)?\s*(?:\"|''|in(?:ch(?:es)?)?|cm|ft|')?"
    r"|\b(?:twin|full|queen|king|california king|small|medium|large|x-?large|xl|xxl)\b"
    r"(?=\s+(?:size|bed|mattress|frame))"
    r"|\b\d+(?:\.\d+)?\s?(?:-| )?inch\b",
    re.I,
)


def _evidence_texts(product: Product) -> list[str]:
    """Quotable statements of the listing, most specific first."""
    texts = [*safe_bullets(product)]
    for label, value in (
        ("Pattern", product.pattern),
        ("Shape", product.item_shape),
        ("Finish", product.finish_type),
        ("Style", product.style),
        ("Fabric", product.fabric_type),
        ("Material", product.material),
    ):
        clean = safe_text(value, 60)
        if clean:
            texts.append(f"{label}: {clean}")
    title = safe_text(product.title, 200)
    if title:
        texts.append(title)
    description = safe_text(product.description, 2000)
    if description:
        texts.extend(s.strip() for s in re.split(r"(?<=[.!?])\s+", description) if s.strip())
    return texts


def _quote(text: str) -> str:
    return f'"{safe_text(text, 140)}"'


def _term_in(text: str, term: str) -> bool:
    low = text.lower()
    if " " in term or "-" in term:
        return term in low
    stem = term[:-1] if len(term) > 3 and term.endswith("s") and not term.endswith("ss") else term
    return re.search(rf"\b{re.escape(stem)}", low) is not None


def _negated(text: str, term: str) -> bool:
    return re.search(_NEGATED.format(term=re.escape(term.rstrip("s"))), text.lower()) is not None


def _weak(text: str, term: str) -> bool:
    """The term is only context ("slides into pockets"), not a feature the item has."""
    low = text.lower()
    at = low.find(term.rstrip("s"))
    return at >= 0 and _WEAK_CONTEXT.search(low[:at]) is not None


def feature_terms(question: str, product: Product | None = None) -> list[str]:
    """What a feature question asks about ("is it waterproof?" → ["waterproof"])."""
    skip = set(_QUALIFIERS)
    if product is not None:
        skip.update(content_terms(type_name(product.product_type)))
        skip.update(content_terms(product.product_type.replace("_", " ")))
    return [t for t in content_terms(question) if t not in skip]


def _whether(question: str, phrase: str) -> str:
    """ "is it waterproof?" → "whether it's waterproof"; "does it have pockets?" → "whether it has …"."""
    low = question.lower()
    article = re.search(rf"\b(an?)\s+(?:\w+\s+)?{re.escape(phrase.split()[0])}", low)
    if article:
        phrase = f"{article.group(1)} {phrase}"
    if re.match(r"\s*(is|are)\b", low):
        return f"whether it's {phrase}"
    if re.search(r"\b(have|has|come with|include|includes)\b", low):
        return f"whether it has {phrase}"
    return f"anything about {phrase}"


_MEASURE = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)\s*-?\s*(?P<unit>inch(?:es)?|in\b|\"|cm|mm|l\b|liters?|litres?|qt|quarts?|oz|ounces?|"
    r"lbs?|pounds?|kg|feet|ft|'|people|person|persons|seats?|gb|tb|mah|w\b|watts?)",
    re.I,
)
_UNIT_ALIASES = {
    "inch": ("inch", "inches", "in", '"'),
    "cm": ("cm",),
    "mm": ("mm",),
    "l": ("l", "liter", "liters", "litre", "litres"),
    "qt": ("qt", "quart", "quarts"),
    "oz": ("oz", "ounce", "ounces"),
    "lb": ("lb", "lbs", "pound", "pounds"),
    "kg": ("kg",),
    "ft": ("feet", "ft", "'"),
    "person": ("people", "person", "persons", "seat", "seats"),
    "gb": ("gb",),
    "tb": ("tb",),
    "mah": ("mah",),
    "w": ("w", "watt", "watts"),
}
_UNIT_GROUPS = {alias: unit for unit, aliases in _UNIT_ALIASES.items() for alias in aliases}


def _measure_fact(asked: re.Match[str], name: str, texts: Sequence[str]) -> str | None:
    """ "will it fit a 17 inch laptop?": quote what the listing says in that unit (the same number or not)."""
    unit = _UNIT_GROUPS.get(asked.group("unit").lower())
    number = float(asked.group("num"))
    if unit is None:
        return None
    label = f"{asked.group('num')} {asked.group('unit').strip()}"
    other: str | None = None
    for text in texts:
        for found in _MEASURE.finditer(text):
            if _UNIT_GROUPS.get(found.group("unit").lower()) != unit:
                continue
            if abs(float(found.group("num")) - number) < 1e-6:
                return f"The listing for {name} says: {_quote(text)}."
            other = other or text
    if other:
        return f"The listing for {name} says {_quote(other)} — it doesn't mention {label}."
    return None


def _feature_fact(question: str, product: Product) -> str:
    name = f"{short_name(product)} {cite(product)}"
    terms = feature_terms(question, product)
    texts = _evidence_texts(product)
    yes_no = bool(_YES_NO.search(question))
    measuring = bool(
        re.search(r"\bhow\s+(deep|big|large|long|wide|tall|high|heavy|many|much)\b", question, re.I)
    )
    if not terms:
        bullets = safe_bullets(product)[:3]
        if not bullets:
            return f"The listing for {name} doesn't say more than its title."
        return f"The listing for {name} highlights: " + "; ".join(_quote(b) for b in bullets) + "."
    measure = _MEASURE.search(question)
    if measure:
        answer = _measure_fact(measure, name, texts)
        if answer:
            return answer
    phrase = " ".join(terms)
    if safe_text(phrase) is None:  # the shopper's words read like an instruction: don't repeat them
        return f"I can only tell you what the listing for {name} says about the product itself."
    found: dict[str, str] = {}
    for term in [phrase, *terms] if len(terms) > 1 else terms:
        for text in texts:
            if _term_in(text, term):
                found.setdefault(term, text)
                break
    if phrase in found or (len(terms) > 1 and all(t in found for t in terms)):
        key = phrase if phrase in found else terms[0]
        evidence = found[key]
        if _weak(evidence, key):
            return (
                f"The listing for {name} only mentions {phrase} in passing ({_quote(evidence)}); "
                f"it doesn't say it has {phrase}."
            )
        if yes_no and _negated(evidence, key):
            return f"No — the listing for {name} says: {_quote(evidence)}."
        if measuring and not re.search(r"\d", evidence):
            return (
                f"The listing for {name} mentions {phrase} ({_quote(evidence)}) "
                "but doesn't say how big; it gives no measurement for that."
            )
        lead = "Yes — " if yes_no else ""
        return f"{lead}{'t' if lead else 'T'}he listing for {name} says: {_quote(evidence)}."
    partial = [t for t in terms if t in found]
    if partial:
        missing = [t for t in terms if t not in found]
        evidence = found[partial[0]]
        return (
            f"The listing for {name} mentions {_join(partial)} ({_quote(evidence)}) "
            f"but doesn't say anything about {_join(missing)}."
        )
    for term in terms:
        for related in RELATED_TERMS.get(term, ()):
            for text in texts:
                if _term_in(text, related):
                    return (
                        f"The listing for {name} doesn't say {term}; it says {_quote(text)} "
                        f"— {related}, which isn't necessarily {term}."
                    )
    return f"The listing for {name} doesn't say {_whether(question, phrase)}, so I can't confirm it."


def _dimension_fact(question: str, product: Product, attribute: str) -> str:
    name = f"{short_name(product)} {cite(product)}"
    dims = product.dimensions
    sizes: list[str] = []
    if attribute == "size":
        for text in [product.title, *safe_bullets(product)]:
            for match in _SIZE.finditer(text):
                if text is product.title or not re.search(r"inch$", match.group(0), re.I):
                    sizes.append(
                        match.group(0).strip()
                    )  # a bare "0.3-inch" in a bullet is a detail, not a size
        sizes = list(dict.fromkeys(sizes))[:3]
    if dims is None or not dims.sides_in():
        if sizes:
            return f"The listing for {name} gives its size as {_join(sizes)}."
        fit = next((b for b in safe_bullets(product) if re.search(r"\b(size|fit|fits)\b", b, re.I)), None)
        if fit:
            return f"The listing for {name} doesn't give dimensions; it says {_quote(fit)}."
        return f"The listing for {name} doesn't say what its dimensions are."
    low = question.lower()
    for side, words in _DIMENSION_WORDS.items():
        value = getattr(dims, f"{side}_in")
        if value is not None and any(re.search(rf"\b{w}", low) for w in words):
            word = {"height": "tall", "length": "long", "width": "wide"}[side]
            return f"{name} is {_number(value)} in {word}; overall it measures {dimensions_text(dims)}."
    text = f"{name} measures {dimensions_text(dims)}."
    if sizes:
        text += f" The listing gives its size as {_join(sizes)}."
    elif attribute == "size":
        fit = next((b for b in safe_bullets(product) if re.search(r"\b(sizes?|fit|fits)\b", b, re.I)), None)
        if fit:
            text += f" About sizing, it says {_quote(fit)}."
    return text


def _fits(product: Product, wanted: str) -> bool | None:
    """Does the listing name ``wanted`` (a device model) exactly? ``None`` if it names no device."""
    text = " ".join(filter(None, [product.title, product.model_name, *safe_bullets(product)]))
    device = parse_device(wanted)
    if device is None:
        return phrase_named(wanted, text)
    listed = find_devices(text)
    if device in listed.excluded:
        return False
    if device in listed.named:
        return True
    return False if listed.named else None


def listed_devices(product: Product) -> list[Device]:
    text = " ".join(filter(None, [product.title, product.model_name, *safe_bullets(product)]))
    return list(find_devices(text).named)


_DEVICE_WORDS = frozenset(
    "phone phones device devices model models compatible compatibility work works fit fits mine".split()  # noqa: SIM905
)
_LINES = ("iphone", "galaxy", "pixel")


def _asked_devices(question: str, listed: Sequence[Device]) -> list[str]:
    """Device models the question names: in full ("iPhone 13 Pro"), or bare ("the 13 Pro") read in the
    listing's own line first."""
    named = [d.display for d in find_devices(question).named]
    if named:
        return named
    lines = [listed[0].line] if listed else []
    lines += [line for line in _LINES if line not in lines]
    for line in lines:
        found = bare_models(question, line)
        if found:
            return [d.display for d in found]
    return []


def _phrase_label(wanted: str, product: Product) -> str:
    """A model this module has no parser for, spelled as the listing spells it when it does."""
    text = " ".join(filter(None, [product.title, product.model_name, *safe_bullets(product)]))
    found, written = phrase_mention(wanted, text)
    if found and written:
        return written
    words = [re.escape(w) for w in wanted.split()]
    spelled = re.search(r"(?<![a-z0-9])" + r"[\s-]*".join(words), text, re.I) if words else None
    if spelled:
        return spelled.group(0)
    return safe_text(wanted, 40) or "that model"


def _compatibility_fact(question: str, product: Product, device_models: Sequence[str]) -> str:
    name = f"{short_name(product)} {cite(product)}"
    listed = listed_devices(product)
    asked = _asked_devices(question, listed) or list(device_models)
    listed_names = _join([d.display for d in listed], "and")
    if not asked:
        if listed:
            return f"{name} is made for the {listed_names}."
        terms = [t for t in feature_terms(question, product) if t not in _DEVICE_WORDS]
        if terms:  # "will it fit a queen bed?": what the listing says about that
            return _feature_fact(question, product)
        return f"The listing for {name} doesn't say which devices it fits."
    answers = []
    for wanted in asked:
        device = parse_device(wanted)
        label = device.display if device else _phrase_label(wanted, product)
        fits = _fits(product, wanted)
        if fits:
            evidence = next(
                (b for b in safe_bullets(product) if device and device in find_devices(b).named), None
            )
            tail = f" (its listing says {_quote(evidence)})" if evidence else ""
            answers.append(f"Yes — {name} is made for the {label}{tail}.")
        elif fits is False and listed:
            others = [d for d in listed if device is None or d != device]
            if (
                device is not None
                and others
                and all(d.line == device.line and d.number == device.number for d in others)
            ):
                answers.append(
                    f"No — the listing for {name} names the {listed_names} only, not the {device.short}."
                )
            else:
                answers.append(f"No — the listing for {name} names the {listed_names}, not the {label}.")
        elif fits is False and device is None:
            text = " ".join(filter(None, [product.title, product.model_name, *safe_bullets(product)]))
            variant = phrase_mention(wanted, text)[1]
            named = f"the {variant}" if variant else "a different model"
            answers.append(f"No — the listing for {name} names {named}, not the {label}.")
        elif fits is False:
            answers.append(f"No — the listing for {name} says it is not for the {label}.")
        else:
            answers.append(f"The listing for {name} doesn't say whether it fits the {label}.")
    return " ".join(answers)


def _capacity_fact(product: Product) -> str:
    name = f"{short_name(product)} {cite(product)}"
    for text in [product.title, *safe_bullets(product)]:
        match = _CAPACITY.search(text)
        if match:
            people = match.group(1) or match.group(2)
            if people:
                return f"{name} is for {people} people (its listing says {_quote(text)})."
            return f"{name} holds {match.group(3)} litres (its listing says {_quote(text)})."
    return f"The listing for {name} doesn't say how much it holds or how many people it fits."


def fact_sheet(product: Product, max_bullets: int = 3) -> str:
    """ "Tell me more about the first one": the listing's facts in a few lines."""
    lines = [f"{product_name(product)} {cite(product)}"]
    row = [f"Price: {_price(product)}"]
    colour, material = _colour(product), _material(product)
    if colour:
        row.append(f"Colour: {colour}")
    if material:
        row.append(f"Material: {material}")
    if product.pattern and safe_text(product.pattern, 40):
        row.append(f"Pattern: {safe_text(product.pattern, 40)}")
    lines.append(" · ".join(row))
    row = []
    if product.dimensions is not None and product.dimensions.sides_in():
        row.append(f"Size: {dimensions_text(product.dimensions)}")
    if product.weight is not None:
        row.append(f"Weight: {weight_text(product.weight)}")
    model = " ".join(
        x
        for x in (
            safe_text(product.model_name, 40),
            (f"({product.model_number})" if product.model_name else product.model_number)
            if product.model_number
            else "",
        )
        if x
    )
    if model and safe_text(model, 80):
        row.append(f"Model: {model}")
    if product.model_year:
        row.append(f"Year: {product.model_year}")
    if row:
        lines.append(" · ".join(row))
    lines.extend(f"- {b}" for b in safe_bullets(product)[:max_bullets])
    lines.extend(_synthetic_note([product]))
    return "\n".join(lines)


def _detail_one(question: str, attribute: Attribute, product: Product, device_models: Sequence[str]) -> str:
    name = f"{short_name(product)} {cite(product)}"
    if attribute == "price":
        return f"{name} costs {_price(product)}."
    if attribute == "material":
        material = _material(product)
        finish = safe_text(product.finish_type, 40)
        if material:
            return f"{name} is made of {material}" + (f", with a {finish.lower()} finish." if finish else ".")
        cue = next(
            (
                b
                for b in safe_bullets(product)
                if re.search(r"\b(made (of|from)|material|fabric|upper)\b", b, re.I)
            ),
            None,
        )
        if cue:
            return f"The listing for {name} doesn't list a material, but says {_quote(cue)}."
        return f"The listing for {name} doesn't say what it's made of."
    if attribute == "color":
        colour = _colour(product)
        if not colour:
            return f"The listing for {name} doesn't say what colour it is."
        standard = [c for c in product.colors if c.lower() not in colour.lower()]
        return f"{name} is {colour}" + (f" ({', '.join(standard)})." if standard else ".")
    if attribute == "brand":
        brand = safe_text(product.brand, 60)
        return f"{name} is by {brand}." if brand else f"The listing for {name} doesn't name a brand."
    if attribute in ("dimensions", "size"):
        return _dimension_fact(question, product, attribute)
    if attribute == "weight":
        if product.weight is None:
            return f"The listing for {name} doesn't say what it weighs."
        return f"{name} weighs {weight_text(product.weight)}."
    if attribute == "compatibility":
        return _compatibility_fact(question, product, device_models)
    if attribute == "capacity":
        return _capacity_fact(product)
    if attribute == "features":
        return _feature_fact(question, product)
    return fact_sheet(product)


def detail_answer(
    question: str,
    attribute: Attribute | None,
    products: Sequence[Product],
    *,
    device_models: Sequence[str] = (),
) -> str:
    """Answer a question about one or more shown items from their listing data.

    ``attribute`` comes from turn understanding (``general`` or ``None`` → a fact sheet).
    ``device_models`` are the canonical models the shopper named (``Slots.device_models``);
    without them, models are read from the question. Anything a listing doesn't state is
    answered with "the listing doesn't say".
    """
    items = list(products[:3])
    if not items:
        return 'Which item do you mean? You can say "the first one" or "the second one".'
    attr: Attribute = attribute or "general"
    if len(items) == 1:
        return _detail_one(question, attr, items[0], device_models)
    if attr == "general":
        return "\n\n".join(fact_sheet(p) for p in items)
    return "\n".join(f"- {_detail_one(question, attr, p, device_models)}" for p in items)


# --------------------------------------------------------------------------- comparison


def _similar(a: str, b: str) -> bool:
    ta, tb = set(content_terms(a)), set(content_terms(b))
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= 0.6


def comparison_answer(products: Sequence[Product]) -> str:
    """Two or three shown items side by side: one line per difference, then what they share."""
    items = list({p.item_id: p for p in products}.values())[:3]
    if len(items) < 2:
        if items:
            return "There's only one item to compare here.\n" + fact_sheet(items[0])
        return 'Which items should I compare? You can say "the first and the second".'
    names = {p.item_id: short_name(p) for p in items}
    if len(set(names.values())) < len(items):  # same short titles: add the id to tell them apart
        names = {p.item_id: f"{short_name(p)} [{p.item_id}]" for p in items}
    label = names.__getitem__
    lines = [f"Comparing {_join([f'{short_name(p)} {cite(p)}' for p in items])}:"]
    shared: list[str] = []

    priced = [p for p in items if p.price > 0]
    if len(priced) == len(items):
        ordered = sorted(items, key=lambda p: p.price)
        low, high = ordered[0], ordered[-1]
        if abs(high.price - low.price) < 0.005:
            shared.append(f"the same price ({_price(low)})")
        elif len(items) == 2:
            lines.append(
                f"- Price: {label(low.item_id)} is cheaper at {_price(low)}, "
                f"{format_price(high.price - low.price)} less than {label(high.item_id)} ({_price(high)})."
            )
        else:
            middle = ordered[1]
            lines.append(
                f"- Price: {label(low.item_id)} is the cheapest at {_price(low)}, "
                f"then {label(middle.item_id)} "
                f"({_price(middle)}); {label(high.item_id)} costs the most ({_price(high)})."
            )

    def compare(title: str, value: Callable[[Product], str | None], share_text: Callable[[str], str]) -> None:
        values = {p.item_id: value(p) for p in items}
        known = [v for v in values.values() if v]
        if not known:
            return
        if len(known) == len(items) and len({v.lower() for v in known}) == 1:
            shared.append(share_text(known[0]))
            return
        parts = [f"{label(i)}: {v or 'not listed'}" for i, v in values.items()]
        lines.append(f"- {title}: " + "; ".join(parts) + ".")

    compare(
        "Type",
        lambda p: type_name(p.product_type),
        lambda v: f"{'both' if len(items) == 2 else 'all'} are {plural(v)}",
    )
    compare("Brand", lambda p: safe_text(p.brand, 40), lambda v: f"the same brand ({v})")
    compare("Colour", _colour, lambda v: f"the same colour ({v})")
    compare("Material", _material, lambda v: f"the same material ({v})")

    sized = [p for p in items if p.dimensions is not None and p.dimensions.volume_in3]
    if sized:
        values = {
            p.item_id: dimensions_text(p.dimensions) if p.dimensions and p.dimensions.sides_in() else None
            for p in items
        }
        if len({v for v in values.values()}) > 1:
            parts = [f"{label(i)}: {v or 'not listed'}" for i, v in values.items()]
            line = "- Size: " + "; ".join(parts)
            if len(sized) >= 2:
                biggest = max(sized, key=lambda p: p.dimensions.volume_in3 or 0.0)  # type: ignore[union-attr]
                line += f" — {label(biggest.item_id)} is {'bigger' if len(sized) == 2 else 'the biggest'}"
            lines.append(line + ".")
        else:
            shared.append("the same size")
    weighed = [p for p in items if p.weight is not None]
    if weighed:
        values = {p.item_id: weight_text(p.weight) if p.weight else None for p in items}
        if len(set(values.values())) > 1:
            parts = [f"{label(i)}: {v or 'not listed'}" for i, v in values.items()]
            line = "- Weight: " + "; ".join(parts)
            if len(weighed) >= 2:
                lightest = min(weighed, key=lambda p: p.weight.pounds)  # type: ignore[union-attr]
                line += (
                    f" — {label(lightest.item_id)} is {'lighter' if len(weighed) == 2 else 'the lightest'}"
                )
            lines.append(line + ".")
        else:
            shared.append("the same weight")

    bullets = {p.item_id: safe_bullets(p) for p in items}
    for p in items:
        others = [b for q in items if q.item_id != p.item_id for b in bullets[q.item_id]]
        unique = [b for b in bullets[p.item_id] if not any(_similar(b, o) for o in others)]
        if unique:
            lines.append(f"- Only {label(p.item_id)}: {_quote(unique[0])}.")
    common = [
        b
        for b in bullets[items[0].item_id]
        if all(any(_similar(b, o) for o in bullets[q.item_id]) for q in items[1:])
    ]
    if common:
        shared.append(f"{'both' if len(items) == 2 else 'all'} say {_quote(common[0])}")
    if shared:
        lines.append(f"In common: {'; '.join(shared)}.")
    lines.extend(_synthetic_note(items))
    return "\n".join(lines)


# --------------------------------------------------------------------------- superlatives


def nothing_shown_answer() -> str:
    """A question about "these" when nothing has been shown yet."""
    return (
        "I haven't shown you any products yet — tell me what you're looking for and I'll search the catalog."
    )


def _extreme(
    products: Sequence[Product], key: Callable[[Product], float | None], *, lowest: bool
) -> tuple[list[Product], list[Product]] | None:
    """``(winners, without_data)``; winners hold ties. ``None`` when no product has the value."""
    valued = [(p, key(p)) for p in products]
    known = [(p, v) for p, v in valued if v is not None]
    if not known:
        return None
    best = min(v for _, v in known) if lowest else max(v for _, v in known)
    tolerance = max(abs(best) * 1e-6, 1e-9)
    winners = [p for p, v in known if abs(v - best) <= tolerance]
    return winners, [p for p, v in valued if v is None]


SUPERLATIVES: dict[str, tuple[str, str, bool]] = {
    # kind: (adjective, what is measured, lowest wins)
    "cheapest": ("cheapest", "price", True),
    "priciest": ("most expensive", "price", False),
    "lightest": ("lightest", "weight", True),
    "heaviest": ("heaviest", "weight", False),
    "biggest": ("biggest", "size", False),
    "smallest": ("smallest", "size", True),
    "newest": ("newest", "model year", False),
}


def _measure(kind: str, product: Product) -> float | None:
    if kind in ("cheapest", "priciest"):
        return product.price if product.price > 0 else None
    if kind in ("lightest", "heaviest"):
        return product.weight.pounds if product.weight is not None else None
    if kind in ("biggest", "smallest"):
        return product.dimensions.volume_in3 if product.dimensions is not None else None
    if kind == "newest":
        return float(product.model_year) if product.model_year else None
    return None


def _value_text(kind: str, product: Product) -> str:
    if kind in ("cheapest", "priciest"):
        return f"at {_price(product)}"
    if kind in ("lightest", "heaviest") and product.weight is not None:
        return f"at {weight_text(product.weight)}"
    if kind in ("biggest", "smallest") and product.dimensions is not None:
        return f"at {dimensions_text(product.dimensions)}"
    if kind == "newest" and product.model_year:
        return f"(model year {product.model_year})"
    return ""


def superlative_winners(kind: Superlative | str, products: Sequence[Product]) -> list[Product]:
    """The item(s) :func:`superlative_answer` names (ties included); empty when none has the fact
    (or for ``best_rated``: ShopTalk has no ratings)."""
    if kind not in SUPERLATIVES:
        return []
    items = list({p.item_id: p for p in products}.values())
    result = _extreme(items, lambda p: _measure(kind, p), lowest=SUPERLATIVES[kind][2])
    return result[0] if result else []


def superlative_answer(kind: Superlative, products: Sequence[Product], scope_label: str = "of these") -> str:
    """ "The cheapest of these is Title [ID] at $19.99", computed over ``products``.

    ``scope_label`` completes "The cheapest …": "of these", "grey sofa in the catalog". Ties
    are named together; products without the measured fact are named as such.
    """
    items = list({p.item_id: p for p in products}.values())
    if not items:
        return nothing_shown_answer()
    scope = safe_text(scope_label, 60) or "of these"
    if kind == "best_rated":
        best = items[0]
        return (
            "ShopTalk has no ratings or reviews for these products, so I can't say which is best rated. "
            f"The closest match to what you asked for is {short_name(best)} {cite(best)} ({_price(best)})."
        )
    adjective, measured, lowest = SUPERLATIVES.get(kind, ("cheapest", "price", True))
    result = _extreme(items, lambda p: _measure(kind, p), lowest=lowest)
    if result is None:
        return (
            f"None of these listings give a {measured}, so I can't tell which is the {adjective}."
            if len(items) > 1
            else f"The listing for {short_name(items[0])} {cite(items[0])} doesn't give a {measured}."
        )
    winners, missing = result
    if len(winners) == 1:
        best = winners[0]
        text = (
            f"The {adjective} {scope} is {product_name(best)} {cite(best)} {_value_text(kind, best)}".rstrip()
            + "."
        )
        rest = [p for p in items if p not in winners and p not in missing]
        if rest:
            runner = sorted(rest, key=lambda p: _measure(kind, p) or 0.0, reverse=not lowest)[0]
            text += f" Next is {short_name(runner)} {cite(runner)} {_value_text(kind, runner)}".rstrip() + "."
    else:
        names = _join([f"{short_name(p)} {cite(p)}" for p in winners])
        text = (
            f"{names} are tied for the {adjective} {scope}, {_value_text(kind, winners[0])}".rstrip(", ")
            + "."
        )
    if missing:
        names = _join([f"{short_name(p)} {cite(p)}" for p in missing])
        verb = "doesn't" if len(missing) == 1 else "don't"
        pronoun = "it is" if len(missing) == 1 else "they are"
        text += f" ({names} {verb} list a {measured}, so {pronoun} not counted.)"
    if kind in ("cheapest", "priciest"):
        text += " " + SYNTHETIC_PRICE_NOTE if any(p.price_is_synthetic for p in items) else ""
    return text


# --------------------------------------------------------------------------- replies without products

CAPABILITIES = (
    'I can find products in the ShopTalk catalog from a description ("a grey sofa under $700"), '
    "narrow them down by price, colour, brand or size, compare them, "
    "and answer questions about their listings."
)
_CHAT_KINDS: list[tuple[str, re.Pattern[str]]] = [
    (
        "capabilities",
        re.compile(
            r"\b(what can you do|what do you do|help me|how does this work|who are you|what are you"
            r"|what is this)\b",
            re.I,
        ),
    ),
    ("thanks", re.compile(r"\b(thanks?|thank you|thx|ty|cheers|appreciate|great help|perfect)\b", re.I)),
    (
        "bye",
        re.compile(
            r"\b(bye|goodbye|see you|see ya|that's all|thats all|that is all|good night|later)\b", re.I
        ),
    ),
    ("how_are_you", re.compile(r"\bhow are you|how's it going|how are things\b", re.I)),
    (
        "greeting",
        re.compile(r"\b(hi|hello|hey|hiya|howdy|good (morning|afternoon|evening)|greetings|yo)\b", re.I),
    ),
]
_CHAT_REPLIES: dict[str, tuple[str, ...]] = {
    "greeting": (
        "Hello! What are you shopping for today? " + CAPABILITIES,
        "Hi there! Tell me what you're looking for and I'll search the catalog. " + CAPABILITIES,
    ),
    "thanks": (
        "You're welcome! If you'd like, I can look for something else, find a cheaper option "
        "or compare items.",
        "Happy to help! Anything else you'd like to find or compare?",
    ),
    "bye": (
        "Goodbye, and happy shopping! Come back any time you need to find something.",
        "Bye for now! I'm here whenever you want to look for something else.",
    ),
    "thanks_bye": (
        "You're welcome — goodbye, and happy shopping!",
        "Glad I could help. Bye for now, and come back any time!",
    ),
    "how_are_you": (
        "I'm doing well, thanks for asking! What can I help you find today?",
        "All good here — ready to help you shop. What are you looking for?",
    ),
    "capabilities": (CAPABILITIES + " I can also connect you with a person.",),
    "other": (
        "I'm a shopping assistant. " + CAPABILITIES,
        "Let's find you something! " + CAPABILITIES,
    ),
}


def chat_kind(text: str) -> str:
    """``greeting``, ``thanks``, ``bye``, ``thanks_bye``, ``how_are_you``, ``capabilities`` or ``other``."""
    kinds = [kind for kind, pattern in _CHAT_KINDS if pattern.search(text)]
    if "thanks" in kinds and "bye" in kinds:
        return "thanks_bye"
    return kinds[0] if kinds else "other"


def _pick(options: Sequence[str], text: str) -> str:
    return options[zlib.crc32(text.strip().lower().encode("utf-8")) % len(options)]


def chit_chat_answer(text: str) -> str:
    """A greeting, thanks, goodbye or "what can you do": a short reply that shows no products."""
    return _pick(_CHAT_REPLIES[chat_kind(text)], text)


_SERVICE_TOPICS: list[tuple[str, re.Pattern[str]]] = [
    (
        "order_status",
        re.compile(r"\b(order|tracking|track|package|parcel|delivery|delivered|arrive|shipped)\b", re.I),
    ),
    ("returns", re.compile(r"\b(return|refund|exchange|send (it|back))\b", re.I)),
    (
        "payment",
        re.compile(r"\b(pay|payment|card|charged|charge|invoice|billing|coupon|discount code)\b", re.I),
    ),
    ("shipping", re.compile(r"\b(ship|shipping|postage|deliver)\b", re.I)),
    ("stock", re.compile(r"\b(in stock|stock|available|availability|back in)\b", re.I)),
    ("account", re.compile(r"\b(account|password|log ?in|sign ?in|profile)\b", re.I)),
    ("cancel", re.compile(r"\b(cancel)\b", re.I)),
]
_SERVICE_CANNOT = {
    "order_status": "ShopTalk can't see orders, so I can't check an order's status or where a package is.",
    "returns": "ShopTalk can't see orders, so I can't start a return or a refund.",
    "payment": "ShopTalk doesn't handle payments, so I can't look into a charge or a payment.",
    "shipping": "ShopTalk has no shipping information, so I can't tell you delivery options or times.",
    "stock": "ShopTalk can't see stock or orders, so I can't tell you whether an item is available.",
    "account": "ShopTalk has no access to accounts, so I can't change account details.",
    "cancel": "ShopTalk can't see orders, so I can't cancel one.",
    "other": "ShopTalk has no order system, so I can't help with orders, payments or deliveries.",
}


def service_topic(text: str) -> str:
    for topic, pattern in _SERVICE_TOPICS:
        if pattern.search(text):
            return topic
    return "other"


def service_answer(topic: str | None = None, *, offer_handoff: bool = True) -> str:
    """Order status, returns, shipping, payment: say ShopTalk can't see them; offer a person.

    ``topic`` is a key of the topics above or the shopper's own text (the topic is then read
    from it). Never states an order status, a delivery date or stock.
    """
    key = topic if topic in _SERVICE_CANNOT else service_topic(topic or "")
    text = _SERVICE_CANNOT[key]
    if offer_handoff:
        text += " I can connect you with a person who can help — would you like that?"
    return text + " Meanwhile I'm happy to help you find products."


_HANDOFF_REASONS = {
    "frustration": "Sorry this hasn't been going well. ",
    "repeated-no-match": "I'm not finding what you need. ",
    "rephrasing": "It looks like I'm not getting this right. ",
    "service": "",
    "asked": "",
}


def handoff_answer(status: HandoffStatus | str, reason: str | None = None) -> str:
    """What the shopper is told about a handoff: ``offered``, ``opened``, ``already_open``,
    ``declined``, ``unavailable`` (no person could be asked) or ``closed``."""
    lead = _HANDOFF_REASONS.get(reason or "", "")
    if status == "offered":
        return f"{lead}Would you like me to ask a person to join? Just say yes."
    if status == "opened":
        return (
            f"{lead}I've asked a person to join; they'll reply here in this chat. "
            "You can keep browsing while you wait."
        )
    if status == "already_open":
        return "A person has already been asked to join; they'll reply here."
    if status == "declined":
        return "No problem — I'll keep helping. What would you like to look for?"
    if status == "unavailable":
        return (
            "I couldn't reach a person right now, sorry. Please try again in a little while; "
            "I can keep helping meanwhile."
        )
    if status == "closed":
        return (
            "The person you were talking to has closed the conversation. I'm here if you need anything else."
        )
    return "I've passed your request on; a person will reply here."


def out_of_scope_answer(text: str = "", catalog_types: Sequence[str] = ()) -> str:
    """Not a shopping request: say what ShopTalk does instead of guessing."""
    types = [t for t in (safe_text(x, 30) for x in catalog_types) if t][:6]
    carries = f" The catalog has {', '.join(types)} and more." if types else ""
    return (
        "That's outside what I can help with — I'm ShopTalk's shopping assistant. "
        f"I can find products, compare them and answer questions about their listings.{carries}"
    )


def reply_answer(kind: str, text: str = "", catalog_types: Sequence[str] = ()) -> str:
    """Dispatch a policy reply kind (``chit_chat``, ``service``, ``out_of_scope``, ``rephrase``,
    ``handoff_declined``) to its answer."""
    if kind == "chit_chat":
        return chit_chat_answer(text)
    if kind == "service":
        return service_answer(text)
    if kind == "rephrase":
        return rephrase_answer(text, catalog_types)
    if kind == "handoff_declined":
        return handoff_answer("declined")
    return out_of_scope_answer(text, catalog_types)
