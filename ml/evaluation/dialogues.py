"""Scripted multi-turn dialogues and a behaviour checker for ``shoptalk eval dialogues``.

A dialogue file is JSON lines, one dialogue per line::

    {"id": "price-neg-01", "kind": "price_negation", "description": "...",
     "turns": [{"user": "a sofa for no more than $700",
                "expect": {"intent": "search", "price_max": 700, "product_types": ["SOFA"]}}]}

Each turn's ``expect`` states behaviour, never wording: the intent, the filters and slots the
turn was understood as, which products may or must be shown, and facts the answer must state.
Checks that depend on ranking refer to shown items symbolically (``answer_contains_price_of: 1``
means "the answer states the price of the first item the previous turn showed"), so a dialogue
stays valid when the ranking changes.

:func:`check_turn` takes the response as a plain ``dict`` (the gateway's ``ChatResponse`` JSON)
and returns the reasons it fails; an empty list is a pass. Pure: nothing here imports the
gateway.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ml.catalog.product import Product

INTENTS = ("search", "refine", "ask_about", "chit_chat", "service", "handoff", "out_of_scope")
HANDOFF_STATUSES = ("offered", "open", "assigned", "closed")

# Colour spellings a response may use for the same standardized colour.
_COLOR_ALIASES = {"gray": "grey", "golden": "gold", "multicolor": "multi", "multicolour": "multi"}


class Bound(BaseModel):
    """A bound on a number: ``{"lte": 700}``, ``{"gte": 90}``, or both."""

    model_config = ConfigDict(extra="forbid")

    lte: float | None = None
    gte: float | None = None
    lt: float | None = None
    gt: float | None = None

    @model_validator(mode="after")
    def _some(self) -> Bound:
        if self.lte is None and self.gte is None and self.lt is None and self.gt is None:
            raise ValueError("a bound needs lte, gte, lt or gt")
        return self

    def holds(self, value: float) -> bool:
        return (
            (self.lte is None or value <= self.lte + 1e-9)
            and (self.gte is None or value >= self.gte - 1e-9)
            and (self.lt is None or value < self.lt)
            and (self.gt is None or value > self.gt)
        )

    def describe(self) -> str:
        parts = [
            f"{op} {v:g}"
            for op, v in (("<=", self.lte), (">=", self.gte), ("<", self.lt), (">", self.gt))
            if v is not None
        ]
        return " and ".join(parts)


class FactRef(BaseModel):
    """A listing fact of a shown item: ``{"position": 2, "field": "material"}`` (position is 1-based)."""

    model_config = ConfigDict(extra="forbid")

    position: int = Field(ge=1)
    field: Literal["price", "material", "brand", "color", "weight", "dimensions", "model_number", "title"]


class Expect(BaseModel):
    """What a correct assistant does on one turn. Every key is optional; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")

    # --- understanding ------------------------------------------------------------------
    intent: str | list[str] | None = None
    price_min: float | Bound | None = Field(default=None, description="null: must be unset.")
    price_max: float | Bound | None = Field(default=None, description="null: must be unset.")
    price_direction: Literal["down", "up"] | None = Field(
        default=None,
        description="down: a price cap below what the previous turn allowed/showed; up: the reverse.",
    )
    colors: list[str] | None = Field(
        default=None, description="Understood colours (filters or slots) include these."
    )
    exclude_colors: list[str] | None = None
    brands: list[str] | None = Field(default=None, description="Understood brands include these.")
    device_models: list[str] | None = None
    sizes: list[str] | None = None
    capacity_min: int | None = None
    query_contains: list[str] | None = None
    query_not_contains: list[str] | None = None
    query_max_words: int | None = None
    # --- cards --------------------------------------------------------------------------
    product_types: list[str] | None = Field(default=None, description="Every card is one of these types.")
    same_type_as_previous: int | None = Field(
        default=None,
        ge=1,
        description="Every card has the type of the previous turn's item at this position.",
    )
    card_colors: list[str] | None = Field(default=None, description="Every card has one of these colours.")
    card_brands: list[str] | None = Field(default=None, description="Every card is one of these brands.")
    must_not_colors: list[str] | None = Field(default=None, description="No card has any of these colours.")
    no_products: bool | None = None
    min_products: int | None = None
    max_products: int | None = None
    must_items: list[str] | None = None
    must_not_items: list[str] | None = None
    card_title_all: list[str] | None = Field(default=None, description="Regexes every card title matches.")
    card_title_none: list[str] | None = Field(default=None, description="Regexes no card title matches.")
    first_item_is: str | None = None
    first_item_in: list[str] | None = None
    exclude_previous_position: int | None = Field(
        default=None, ge=1, description="The previous turn's item at this position is not shown again."
    )
    # --- answer -------------------------------------------------------------------------
    answer_contains: list[str] | None = Field(
        default=None, description="Case-insensitive substrings or regexes the answer must contain (each)."
    )
    answer_not_contains: list[str] | None = None
    answer_contains_price_of: int | list[int] | None = Field(
        default=None,
        description="The answer states the price of the previous turn's item(s) at these positions.",
    )
    answer_contains_fact_of: FactRef | list[FactRef] | None = None
    answer_refers_to: list[int] | None = Field(
        default=None, description="The answer cites or names the previous turn's items at these positions."
    )
    cheapest_cited: bool | None = Field(default=None, description="The answer cites the cheapest card shown.")
    answer_cites_cheapest_of_previous: bool | None = None
    answer_cites_priciest_of_previous: bool | None = None
    no_match: bool | None = None
    handoff: bool | str | list[str] | None = Field(
        default=None, description="true: offered or open; false: none; a status or list of statuses."
    )

    def given(self, name: str) -> bool:
        return name in self.model_fields_set


class DialogueTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: str = Field(min_length=1)
    expect: Expect = Field(default_factory=Expect)


class Dialogue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    kind: str = Field(min_length=1)
    description: str = ""
    turns: list[DialogueTurn] = Field(min_length=1)


def load_dialogues(path: str | Path, kinds: Iterable[str] | None = None) -> list[Dialogue]:
    """Read a dialogue JSONL file (blank lines and ``//`` comment lines skipped); ids must be unique."""
    wanted = set(kinds) if kinds else None
    out: list[Dialogue] = []
    seen: set[str] = set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            dialogue = Dialogue.model_validate(json.loads(line))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: invalid dialogue: {exc}") from exc
        if dialogue.id in seen:
            raise ValueError(f"{path}:{number}: duplicate dialogue id {dialogue.id!r}")
        seen.add(dialogue.id)
        if wanted is None or dialogue.kind in wanted:
            out.append(dialogue)
    return out


# ---------------------------------------------------------------------------------- context
FactLookup = Callable[[str], Product | None]


@dataclass
class TurnContext:
    """What a check may know besides the response: earlier responses and listing facts."""

    previous: Sequence[Mapping[str, Any]] = field(default_factory=list)
    facts: FactLookup | None = None

    def shown_before(self) -> list[Mapping[str, Any]]:
        """The cards the shopper was looking at before this turn (latest turn that showed any)."""
        for response in reversed(self.previous):
            cards = response.get("products") or []
            if cards:
                return list(cards)
        return []

    def previous_response(self) -> Mapping[str, Any] | None:
        return self.previous[-1] if self.previous else None


# ---------------------------------------------------------------------------------- helpers
def _norm_color(value: str) -> str:
    value = value.strip().lower()
    return _COLOR_ALIASES.get(value, value)


def _norm_key(value: str) -> str:
    """Brand/model/size comparison key: lower-case, no spaces, quotes or punctuation."""
    return re.sub(r"[^a-z0-9+]", "", value.lower())


def _text_matches(pattern: str, text: str) -> bool:
    """Case-insensitive substring, or regex search."""
    if pattern.lower() in text.lower():
        return True
    try:
        return re.search(pattern, text, flags=re.IGNORECASE) is not None
    except re.error:
        return False


def _numbers(text: str) -> list[float]:
    out = []
    for match in re.finditer(r"\d[\d,]*(?:\.\d+)?", text):
        try:
            out.append(float(match.group().replace(",", "")))
        except ValueError:
            continue
    return out


def _mentions_number(text: str, value: float, rel: float = 0.01, abs_tol: float = 0.051) -> bool:
    return any(math.isclose(n, value, rel_tol=rel, abs_tol=abs_tol) for n in _numbers(text))


def _mentions_price(text: str, price: float) -> bool:
    """The answer states this price (to the cent, or rounded to whole dollars)."""
    return any(abs(n - price) < 0.006 or (n == round(n) and abs(n - price) <= 0.5) for n in _numbers(text))


def _title_tokens(title: str) -> list[str]:
    return [t for t in re.findall(r"[a-z0-9]+", title.lower()) if len(t) >= 4]


def _refers_to(
    card: Mapping[str, Any], response: Mapping[str, Any], others: Sequence[Mapping[str, Any]] = ()
) -> bool:
    """The response cites the card, or the answer names it: its id, its full title, or most of the
    title words that set it apart from the ``others`` shown with it ("Dimmable" among floor lamps)."""
    item_id = str(card.get("item_id", ""))
    answer = str(response.get("answer", ""))
    if item_id and (item_id in (response.get("citations") or []) or item_id in answer):
        return True
    title = str(card.get("title", ""))
    if title and title.lower() in answer.lower():
        return True
    common = {
        t for o in others if o.get("item_id") != item_id for t in _title_tokens(str(o.get("title", "")))
    }
    tokens = [t for t in _title_tokens(title) if t not in common]
    if not tokens:
        return False
    present = set(re.findall(r"[a-z0-9]+", answer.lower()))
    return sum(t in present for t in tokens) / len(tokens) >= 0.5


def _effective(response: Mapping[str, Any], key: Literal["min", "max"]) -> float | None:
    filters = response.get("filters") or {}
    value = filters.get(f"price_{key}")
    if value is None:
        price = (response.get("slots") or {}).get("price")
        if isinstance(price, Mapping):
            value = price.get(key)
    return float(value) if value is not None else None


def _understood(response: Mapping[str, Any], filter_key: str, slot_key: str) -> list[str]:
    values: list[str] = []
    filters = response.get("filters") or {}
    slots = response.get("slots") or {}
    for source in (filters.get(filter_key), slots.get(slot_key)):
        if isinstance(source, str):
            values.append(source)
        elif isinstance(source, Iterable):
            values.extend(str(v) for v in source)
    return values


# (expectation field = filter/slot key, how a failure names it, how values compare)
_UNDERSTOOD_SLOTS: tuple[tuple[str, str, Callable[[str], str]], ...] = (
    ("colors", "colour", _norm_color),
    ("exclude_colors", "excluded colour", _norm_color),
    ("brands", "brand", _norm_key),
    ("device_models", "device model", _norm_key),
    ("sizes", "size", _norm_key),
)


def _fact_strings(product: Product, name: str) -> tuple[list[str], list[float]]:
    """Acceptable wordings (substrings) and numbers (any one suffices) for a listing fact."""
    if name == "price":
        return [], [product.price]
    if name == "material":
        return ([product.material] if product.material else []), []
    if name == "brand":
        return ([product.brand] if product.brand else []), []
    if name == "color":
        words = list(product.colors)
        if product.color_text:
            words.append(product.color_text)
        return words, []
    if name == "title":
        return [product.title], []
    if name == "model_number":
        return ([product.model_number] if product.model_number else []), []
    if name == "weight":
        if product.weight is None:
            return [], []
        nums = [product.weight.pounds]
        if product.weight.value is not None:
            nums.append(product.weight.value)
        nums.append(product.weight.pounds * 0.45359237)  # kilograms
        nums.append(product.weight.pounds * 16)  # ounces
        return [], nums
    if name == "dimensions":
        if product.dimensions is None:
            return [], []
        d = product.dimensions
        nums = d.sides_in() + [v for v in (d.length, d.width, d.height) if v is not None]
        nums += [v * 2.54 for v in d.sides_in()]
        return [], nums
    return [], []


# ---------------------------------------------------------------------------------- checker
def check_turn(
    expect: Expect | Mapping[str, Any],
    response: Mapping[str, Any],
    context: TurnContext | None = None,
) -> list[str]:
    """Reasons ``response`` fails ``expect`` (empty: it passes). ``context`` resolves references."""
    exp = expect if isinstance(expect, Expect) else Expect.model_validate(expect)
    ctx = context or TurnContext()
    fails: list[str] = []
    answer = str(response.get("answer") or "")
    cards: list[Mapping[str, Any]] = list(response.get("products") or [])
    ids = [str(c.get("item_id")) for c in cards]
    slots = response.get("slots") or {}

    if not answer.strip():
        fails.append("empty answer")

    # --- intent -------------------------------------------------------------------------
    if exp.intent is not None:
        allowed = [exp.intent] if isinstance(exp.intent, str) else exp.intent
        if response.get("intent") not in allowed:
            fails.append(f"intent {response.get('intent')!r}, expected {' or '.join(allowed)}")

    # --- price --------------------------------------------------------------------------
    bound_key: Literal["min", "max"]
    for bound_key in ("min", "max"):
        name = f"price_{bound_key}"
        if not exp.given(name):
            continue
        want = getattr(exp, name)
        got = _effective(response, bound_key)
        if want is None:
            if got is not None:
                fails.append(f"{name} is {got:g}, expected unset")
        elif got is None:
            fails.append(
                f"{name} unset, expected {want if isinstance(want, float | int) else want.describe()}"
            )
        elif isinstance(want, Bound):
            if not want.holds(got):
                fails.append(f"{name} is {got:g}, expected {want.describe()}")
        elif abs(got - float(want)) > 0.01:
            fails.append(f"{name} is {got:g}, expected {float(want):g}")
    alternatives = bool(response.get("alternatives")) or bool(response.get("no_match"))
    if not alternatives:
        lo, hi = _effective(response, "min"), _effective(response, "max")
        for card in cards:
            price = float(card.get("price", 0.0))
            if (lo is not None and price < lo - 0.01) or (hi is not None and price > hi + 0.01):
                fails.append(
                    f"card {card.get('item_id')} costs {price:g}, outside the price filter [{lo}, {hi}]"
                )
    if exp.price_direction is not None:
        before = ctx.shown_before()
        prev = ctx.previous_response() or {}
        prices = [float(c.get("price", 0.0)) for c in before]
        if exp.price_direction == "down":
            got = _effective(response, "max")
            # below both what the previous turn allowed and the priciest thing it showed
            refs = [v for v in (_effective(prev, "max"), max(prices) if prices else None) if v is not None]
            ref = min(refs) if refs else None
            if got is None:
                fails.append("cheaper: no price cap set")
            elif ref is not None and got >= ref:
                fails.append(f"cheaper: price cap {got:g} is not below the previous {ref:g}")
            lo_now, lo_before = _effective(response, "min"), _effective(prev, "min")
            if lo_now is not None and (lo_before is None or lo_now > lo_before):
                fails.append(f"cheaper: price minimum raised to {lo_now:g}")
        else:
            got = _effective(response, "min")
            # above both what the previous turn required and the cheapest thing it showed
            refs = [v for v in (_effective(prev, "min"), min(prices) if prices else None) if v is not None]
            ref = max(refs) if refs else None
            if got is None:
                fails.append("pricier: no price minimum set")
            elif ref is not None and got <= ref:
                fails.append(f"pricier: price minimum {got:g} is not above the previous {ref:g}")
            hi_now, hi_before = _effective(response, "max"), _effective(prev, "max")
            if hi_now is not None and (hi_before is None or hi_now < hi_before):
                fails.append(f"pricier: price cap lowered to {hi_now:g}")

    # --- understood slots -----------------------------------------------------------------
    for key, label, norm in _UNDERSTOOD_SLOTS:
        expected = getattr(exp, key)
        if expected is not None:
            have = {norm(v) for v in _understood(response, key, key)}
            missing = [v for v in expected if norm(v) not in have]
            if missing:
                fails.append(f"{label} {missing} not understood (got {sorted(have)})")
    if exp.capacity_min is not None:
        capacity = slots.get("capacity")
        if not isinstance(capacity, int | float) or capacity < exp.capacity_min:
            fails.append(f"capacity {capacity!r}, expected at least {exp.capacity_min}")
    query = str(response.get("query") or "")
    for pattern in exp.query_contains or []:
        if not _text_matches(pattern, query):
            fails.append(f"query {query!r} lacks {pattern!r}")
    for pattern in exp.query_not_contains or []:
        if _text_matches(pattern, query):
            fails.append(f"query {query!r} still has {pattern!r}")
    if exp.query_max_words is not None and len(query.split()) > exp.query_max_words:
        fails.append(f"query {query!r} has more than {exp.query_max_words} words")

    # --- cards ----------------------------------------------------------------------------
    if exp.no_products and cards:
        fails.append(f"{len(cards)} products shown, expected none")
    if exp.min_products is not None and len(cards) < exp.min_products:
        fails.append(f"{len(cards)} products shown, expected at least {exp.min_products}")
    if exp.max_products is not None and len(cards) > exp.max_products:
        fails.append(f"{len(cards)} products shown, expected at most {exp.max_products}")
    types = set(exp.product_types or [])
    if exp.same_type_as_previous is not None:
        before = ctx.shown_before()
        if len(before) < exp.same_type_as_previous:
            fails.append(f"no item {exp.same_type_as_previous} was shown before")
        else:
            types = {str(before[exp.same_type_as_previous - 1].get("product_type"))}
    if types:
        wrong = [
            f"{c.get('item_id')}:{c.get('product_type')}" for c in cards if c.get("product_type") not in types
        ]
        if wrong:
            fails.append(f"cards of other types than {sorted(types)}: {wrong}")
    if exp.card_colors is not None:
        want = {_norm_color(c) for c in exp.card_colors}
        wrong = [
            str(c.get("item_id")) for c in cards if not want & {_norm_color(x) for x in c.get("colors") or []}
        ]
        if wrong:
            fails.append(f"cards not in {sorted(want)}: {wrong}")
    if exp.card_brands is not None:
        want = {_norm_key(b) for b in exp.card_brands}
        wrong = [str(c.get("item_id")) for c in cards if _norm_key(str(c.get("brand") or "")) not in want]
        if wrong:
            fails.append(f"cards not by {exp.card_brands}: {wrong}")
    for color in exp.must_not_colors or []:
        bad = [
            str(c.get("item_id"))
            for c in cards
            if _norm_color(color) in {_norm_color(x) for x in c.get("colors") or []}
            or re.search(rf"\b{re.escape(color)}\b", str(c.get("title", "")), flags=re.IGNORECASE)
        ]
        if bad:
            fails.append(f"{color} cards shown: {bad}")
    for item in exp.must_items or []:
        if item not in ids:
            fails.append(f"{item} not shown")
    for item in exp.must_not_items or []:
        if item in ids:
            fails.append(f"{item} shown, must not be")
    for pattern in exp.card_title_all or []:
        bad = [
            str(c.get("title"))
            for c in cards
            if not re.search(pattern, str(c.get("title", "")), re.IGNORECASE)
        ]
        if bad:
            fails.append(f"card titles not matching /{pattern}/: {bad[:3]}")
    for pattern in exp.card_title_none or []:
        bad = [
            str(c.get("title")) for c in cards if re.search(pattern, str(c.get("title", "")), re.IGNORECASE)
        ]
        if bad:
            fails.append(f"card titles matching /{pattern}/: {bad[:3]}")
    if exp.first_item_is is not None and (not ids or ids[0] != exp.first_item_is):
        fails.append(f"first item {ids[0] if ids else None}, expected {exp.first_item_is}")
    if exp.first_item_in is not None and (not ids or ids[0] not in exp.first_item_in):
        fails.append(f"first item {ids[0] if ids else None}, expected one of {exp.first_item_in}")
    if exp.exclude_previous_position is not None:
        before = ctx.shown_before()
        if len(before) >= exp.exclude_previous_position:
            again = str(before[exp.exclude_previous_position - 1].get("item_id"))
            if again in ids:
                fails.append(f"{again} (item {exp.exclude_previous_position} before) shown again")

    # --- answer ---------------------------------------------------------------------------
    for pattern in exp.answer_contains or []:
        if not _text_matches(pattern, answer):
            fails.append(f"answer lacks {pattern!r}")
    for pattern in exp.answer_not_contains or []:
        if _text_matches(pattern, answer):
            fails.append(f"answer contains {pattern!r}")
    before = ctx.shown_before() if _needs_previous(exp) else []
    positions = exp.answer_contains_price_of
    for position in [positions] if isinstance(positions, int) else positions or []:
        if len(before) < position:
            fails.append(f"no item {position} was shown before")
        elif not _mentions_price(answer, float(before[position - 1].get("price", -1))):
            fails.append(
                f"answer does not state the price of item {position} ({before[position - 1].get('price')})"
            )
    fact_refs = exp.answer_contains_fact_of
    for fact_ref in [fact_refs] if isinstance(fact_refs, FactRef) else fact_refs or []:
        fails.extend(_check_fact(fact_ref, before, answer, ctx.facts))
    for position in exp.answer_refers_to or []:
        if len(before) < position:
            fails.append(f"no item {position} was shown before")
        elif not _refers_to(before[position - 1], response, before):
            fails.append(f"answer does not refer to item {position} ({before[position - 1].get('item_id')})")
    if exp.cheapest_cited:
        if not cards:
            fails.append("cheapest_cited: no products shown")
        else:
            cheapest = min(cards, key=lambda c: float(c.get("price", math.inf)))
            if not _refers_to(cheapest, response, cards):
                fails.append(f"answer does not cite the cheapest shown item {cheapest.get('item_id')}")
    for flag, pick, word in (
        (exp.answer_cites_cheapest_of_previous, min, "cheapest"),
        (exp.answer_cites_priciest_of_previous, max, "priciest"),
    ):
        if not flag:
            continue
        if not before:
            fails.append(f"{word}: nothing was shown before")
            continue
        target = pick(before, key=lambda c: float(c.get("price", 0.0)))
        if not _refers_to(target, response, before):
            fails.append(f"answer does not cite the {word} item shown before ({target.get('item_id')})")
        if not _mentions_price(answer, float(target.get("price", -1))) and word == "cheapest":
            fails.append(f"answer does not state the cheapest price ({target.get('price')})")

    # --- no-match, handoff -----------------------------------------------------------------
    if exp.no_match is not None:
        got = bool(response.get("no_match"))
        if got != exp.no_match:
            fails.append(f"no_match is {got}, expected {exp.no_match}")
        if exp.no_match and cards and not response.get("alternatives"):
            fails.append(f"no match, yet {len(cards)} products shown as matches (not marked alternatives)")
    if exp.given("handoff"):
        handoff = response.get("handoff")
        status = handoff.get("status") if isinstance(handoff, Mapping) else None
        if exp.handoff is True and status not in ("offered", "open", "assigned"):
            fails.append(f"handoff {status!r}, expected offered or open")
        elif exp.handoff is False or exp.handoff is None:
            if status in ("offered", "open", "assigned"):
                fails.append(f"handoff {status!r}, expected none")
        elif isinstance(exp.handoff, str) and status != exp.handoff:
            fails.append(f"handoff {status!r}, expected {exp.handoff!r}")
        elif isinstance(exp.handoff, list) and status not in exp.handoff:
            fails.append(f"handoff {status!r}, expected one of {exp.handoff}")
    return fails


def _needs_previous(exp: Expect) -> bool:
    return bool(
        exp.answer_contains_price_of
        or exp.answer_contains_fact_of
        or exp.answer_refers_to
        or exp.answer_cites_cheapest_of_previous
        or exp.answer_cites_priciest_of_previous
    )


def _check_fact(
    ref: FactRef, before: Sequence[Mapping[str, Any]], answer: str, facts: FactLookup | None
) -> list[str]:
    if len(before) < ref.position:
        return [f"no item {ref.position} was shown before"]
    card = before[ref.position - 1]
    item_id = str(card.get("item_id"))
    product = facts(item_id) if facts is not None else None
    if product is None:
        if ref.field == "price":
            product = Product(
                item_id=item_id, title=str(card.get("title", "")), price=float(card.get("price", 0))
            )
        else:
            return [f"no listing facts for {item_id} to check its {ref.field}"]
    words, numbers = _fact_strings(product, ref.field)
    if not words and not numbers:
        return []  # the listing does not state it: nothing the answer must repeat
    if any(w and w.lower() in answer.lower() for w in words):
        return []
    if ref.field == "price" and _mentions_price(answer, product.price):
        return []
    if ref.field != "price" and any(_mentions_number(answer, n) for n in numbers):
        return []
    shown = words or [f"{n:g}" for n in numbers[:3]]
    return [f"answer does not state the {ref.field} of item {ref.position} ({item_id}: {shown})"]


# ---------------------------------------------------------------------------------- summaries
def summarize_response(response: Mapping[str, Any], max_cards: int = 5) -> dict[str, Any]:
    """A short, JSON-friendly view of a response for failure reports."""
    filters = response.get("filters") or {}
    handoff = response.get("handoff")
    return {
        "intent": response.get("intent"),
        "query": response.get("query"),
        "filters": {k: v for k, v in filters.items() if v not in (None, [], {})},
        "slots": response.get("slots") or {},
        "no_match": response.get("no_match"),
        "alternatives": response.get("alternatives"),
        "handoff": handoff.get("status") if isinstance(handoff, Mapping) else None,
        "answer": str(response.get("answer") or "")[:300],
        "products": [
            f"{c.get('item_id')} {c.get('product_type')} ${c.get('price')} {c.get('colors')} "
            f"{str(c.get('title'))[:60]}"
            for c in (response.get("products") or [])[:max_cards]
        ],
    }


# ---------------------------------------------------------------------------------- feasibility
_PER_CARD = (
    "product_types",
    "card_colors",
    "card_brands",
    "must_not_colors",
    "must_not_items",
    "card_title_all",
    "card_title_none",
)


def _card_probe(expect: Expect) -> tuple[Expect, dict[str, float]]:
    """Only the per-card part of ``expect``, plus its exact price limits as filters."""
    given = expect.model_dump(exclude_unset=True)
    probe = Expect.model_validate({k: v for k, v in given.items() if k in _PER_CARD and v is not None})
    filters: dict[str, float] = {}
    for key in ("price_min", "price_max"):
        value = getattr(expect, key)
        if isinstance(value, int | float):
            filters[key] = float(value)
    return probe, filters


def _fits(probe: Expect, filters: dict[str, float], product: Product) -> bool:
    card = {
        "item_id": product.item_id,
        "title": product.title,
        "brand": product.brand,
        "product_type": product.product_type,
        "price": product.price,
        "colors": product.colors,
    }
    return not check_turn(probe, {"answer": "-", "products": [card], "filters": filters})


def card_ok(expect: Expect, product: Product) -> bool:
    """Whether ``product`` may appear as a card under this turn's per-card expectations
    (types, colours, brands, titles, and exact price limits)."""
    return _fits(*_card_probe(expect), product)


def feasibility_problems(dialogues: Sequence[Dialogue], products: Sequence[Product]) -> list[str]:
    """Expectations no assistant could meet over this catalog: unknown ids, or too few products
    satisfying a turn's per-card constraints (types, colours, brands, titles, exact prices)."""
    by_id = {p.item_id: p for p in products}
    problems: list[str] = []
    for dialogue in dialogues:
        for number, turn in enumerate(dialogue.turns, start=1):
            exp = turn.expect
            where = f"{dialogue.id} turn {number}"
            named = [*(exp.must_items or []), *(exp.first_item_in or [])]
            if exp.first_item_is:
                named.append(exp.first_item_is)
            for item in named:
                product = by_id.get(item)
                if product is None:
                    problems.append(f"{where}: unknown item {item}")
                elif not _fits(*_card_probe(exp), product):
                    problems.append(f"{where}: {item} violates the turn's own card constraints")
            for item in exp.must_not_items or []:
                if item not in by_id:
                    problems.append(f"{where}: unknown item {item}")
            if exp.no_products:
                continue
            per_card = any(
                exp.given(n)
                for n in (
                    "product_types",
                    "card_colors",
                    "card_brands",
                    "card_title_all",
                    "card_title_none",
                    "must_not_colors",
                )
            )
            if not per_card:
                continue
            need = max(exp.min_products or 1, 1)
            probe, filters = _card_probe(exp)
            types = set(probe.product_types or [])
            fitting = 0
            for product in products:
                if (not types or product.product_type in types) and _fits(probe, filters, product):
                    fitting += 1
                    if fitting >= need:
                        break
            if fitting < need:
                problems.append(f"{where}: only {fitting} products fit, expected at least {need}")
    return problems
