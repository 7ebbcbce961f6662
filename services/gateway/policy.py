"""The dialogue policy ("bot manager"): what to do with an understood turn.

``decide`` is pure: (understanding, state) → :class:`Decision` and the next state. The
orchestrator executes the decision (search, answer from listing data, reply, hand over) and
reports back with :func:`after_search`, which updates what is on screen and the failure
counters that trigger a handoff offer.

State rules, one per intent:

* ``search`` — a new need: slots and need words are replaced, nothing carries over.
* ``refine`` — only what the shopper changed changes: a new colour replaces the colour, a new
  device replaces the device, a price replaces the price, "cheaper" moves the ceiling under the
  shown prices, exclusions accumulate; the query is rebuilt from the state (no word piling).
* ``ask_about`` — searches nothing (except a catalog-wide superlative); the shown list stays, so
  "the second one" keeps meaning the same item.
* ``chit_chat`` / ``out_of_scope`` — reply, state untouched.
* ``service`` — say there is no order system, offer a person. ``handoff`` — open one.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from typing import Literal

from ml.retrieval.types import SearchFilters
from ml.understanding.types import AskKind, Attribute, Intent, PriceSlot, Slots, Superlative, Understanding
from services.gateway.dialogue_state import DialogueState

Action = Literal["search", "ask", "reply", "handoff"]
ReplyKind = Literal["chit_chat", "service", "out_of_scope", "rephrase", "handoff_declined", "no_such_item"]

SIMILAR = re.compile(r"\b(more like|similar to|something like|others like|like (the|that|this))\b", re.I)
YES = re.compile(r"^\s*(yes|yeah|yep|sure|ok(ay)?|please( do)?|yes please|go ahead|do it|connect me)\b", re.I)
NO = re.compile(r"^\s*(no|nope|no thanks|not now|never ?mind)\b", re.I)
REPEATS_FOR_HANDOFF = 3
NO_MATCHES_FOR_HANDOFF = 2


@dataclass
class Decision:
    intent: Intent
    action: Action
    query: str = ""
    filters: SearchFilters = field(default_factory=SearchFilters)
    slots: Slots = field(default_factory=Slots)
    reply: ReplyKind | None = None
    focus_ids: list[str] = field(default_factory=list)
    ask_kind: AskKind | None = None
    attribute: Attribute | None = None
    superlative: Superlative | None = None
    scope: Literal["shown", "catalog"] = "shown"
    similar_to: str | None = None
    exclude_ids: list[str] = field(default_factory=list)
    need_terms: list[str] = field(default_factory=list)
    handoff: Literal["offer", "open"] | None = None
    handoff_reason: str | None = None


# --------------------------------------------------------------------------- slots and queries
_LIST_REPLACE = ("product_types", "type_terms", "brands", "materials", "sizes", "device_models", "audience")


def merge_slots(current: Slots, new: Slots) -> Slots:
    """A refinement: fields the shopper set this turn replace the old ones; exclusions accumulate."""
    data = current.model_dump()
    for name in _LIST_REPLACE:
        value = getattr(new, name)
        if value:
            data[name] = list(value)
    if new.product_types and new.product_types != current.product_types:
        data["device_models"] = list(new.device_models)  # a new type: old device/size no longer apply
        data["sizes"] = list(new.sizes)
    if new.colors:
        data["colors"] = list(new.colors)
    excluded = [
        c for c in dict.fromkeys([*current.exclude_colors, *new.exclude_colors]) if c not in new.colors
    ]
    data["exclude_colors"] = excluded
    data["colors"] = [c for c in data["colors"] if c not in new.exclude_colors]
    for name in ("exclude_terms", "exclude_materials", "exclude_brands"):
        data[name] = list(dict.fromkeys([*getattr(current, name), *getattr(new, name)]))
    data["materials"] = [m for m in data["materials"] if m not in new.exclude_materials]
    data["brands"] = [b for b in data["brands"] if b not in new.exclude_brands]
    data["price_change"] = data["size_change"] = None  # relative changes apply once, as prices
    data["features"] = list(dict.fromkeys([*current.features, *new.features]))
    if new.price is not None:
        data["price"] = new.price.model_dump()
    if new.capacity is not None:
        data["capacity"] = new.capacity
    data["gift"] = current.gift or new.gift
    return Slots.model_validate(data)


def build_query(need_terms: list[str], slots: Slots) -> str:
    """The search text, rebuilt from the state each turn."""
    words: list[str] = []
    words.extend(slots.brands)
    words.extend(slots.materials)
    words.extend(need_terms)
    words.extend(slots.features)
    words.extend(slots.type_terms)
    words.extend(slots.device_models)
    words.extend(slots.sizes)
    words.extend(a for a in slots.audience if a not in ("unisex",))
    seen: set[str] = set()
    out: list[str] = []
    for w in words:
        for token in w.split():
            key = token.lower()
            if key not in seen:
                seen.add(key)
                out.append(token)
    return " ".join(out)


def filters_for(slots: Slots, explicit: SearchFilters | None = None) -> SearchFilters:
    """Index filters (both halves) from the slots; explicit UI filters override."""
    price = slots.price or PriceSlot()
    filters = SearchFilters(
        price_min=price.min,
        price_max=price.max,
        product_types=list(slots.product_types),
        brands=[b.lower() for b in slots.brands],
        colors=list(slots.colors),
    )
    return filters.merged(explicit)


def _relative_price(change: str | None, state: DialogueState, slots: Slots, said_price: bool) -> Slots:
    """ "cheaper ones?" moves the ceiling under the median shown price; "pricier" the floor above it."""
    prices = [s.price for s in state.shown]
    if not prices or said_price or change is None:
        return slots
    if change == "cheaper":
        ceiling = round(statistics.median(prices) - 0.01, 2)
        return slots.model_copy(update={"price": PriceSlot(max=max(ceiling, 0.0), text="cheaper")})
    if change == "pricier":
        floor = round(statistics.median(prices) + 0.01, 2)
        return slots.model_copy(update={"price": PriceSlot(min=floor, text="pricier")})
    return slots


def _positions_to_ids(positions: list[int], state: DialogueState) -> list[str]:
    ids = state.shown_ids()
    out = []
    for p in positions:
        index = p if p >= 0 else len(ids) + p
        if 0 <= index < len(ids) and ids[index] not in out:
            out.append(ids[index])
    return out


def _same_need(a: DialogueState, slots: Slots, need_terms: list[str]) -> bool:
    if not a.need_terms and not a.slots.product_types:
        return False
    if set(a.slots.product_types) != set(slots.product_types):
        return False
    old, new = set(a.need_terms), set(need_terms)
    if not old and not new:
        return True
    return len(old & new) / max(1, len(old | new)) >= 0.3 or bool(slots.product_types)


# --------------------------------------------------------------------------- the policy
def decide(
    u: Understanding, state: DialogueState, explicit: SearchFilters | None = None
) -> tuple[Decision, DialogueState]:
    """What to do with this turn, and the state it leaves (before any search result is known).

    While a person is on the conversation (an open handoff) nothing new is offered: every turn
    reaches them, and the assistant keeps helping with products meanwhile.
    """
    decision, new = _decide(u, state, explicit)
    if state.handoff_id is not None:
        if decision.handoff == "offer":
            decision.handoff = decision.handoff_reason = None
        new.handoff_offered = None
    return decision, new


def _decide(
    u: Understanding, state: DialogueState, explicit: SearchFilters | None
) -> tuple[Decision, DialogueState]:
    new = state.model_copy(deep=True)

    # An offered handoff awaits a yes or a no.
    if state.handoff_offered and state.handoff_id is None:
        if YES.search(u.text) and len(u.text.split()) <= 6:
            reason = state.handoff_offered
            new.handoff_offered = None
            return Decision(
                intent=Intent.handoff, action="handoff", handoff="open", handoff_reason=reason
            ), new
        if NO.search(u.text) and len(u.text.split()) <= 4:
            new.handoff_offered = None
            return Decision(intent=Intent.chit_chat, action="reply", reply="handoff_declined"), new

    if u.gibberish:
        return Decision(intent=Intent.out_of_scope, action="reply", reply="rephrase"), new

    intent = u.intent
    if u.frustrated and intent in (Intent.search, Intent.refine) and u.slots.is_empty():
        intent = Intent.chit_chat  # "this is useless!!!" is about the conversation, not a need
    if intent is Intent.handoff:
        return Decision(intent=intent, action="handoff", handoff="open", handoff_reason="asked"), new
    if intent is Intent.service:
        new.handoff_offered = "service"
        return (
            Decision(
                intent=intent, action="reply", reply="service", handoff="offer", handoff_reason="service"
            ),
            new,
        )
    if intent in (Intent.chit_chat, Intent.out_of_scope):
        decision = Decision(intent=intent, action="reply", reply=intent.value)  # type: ignore[arg-type]
        return _maybe_frustrated(u, decision, new), new

    if intent is Intent.ask_about:
        decision = _ask(u, state, explicit)
        new.last_intent = intent
        if decision.focus_ids:
            new.focus = list(decision.focus_ids)
        return _maybe_frustrated(u, decision, new), new

    # search / refine
    if intent is Intent.refine and (state.shown or state.need_terms):
        slots = merge_slots(state.slots, u.slots)
        slots = _relative_price(u.slots.price_change, state, slots, u.slots.price is not None)
        need_terms = list(dict.fromkeys([*state.need_terms, *u.residual_terms]))
        similar_to = None
        exclude: list[str] = []
        if SIMILAR.search(u.text) or re.search(r"\bmore\b", u.text, re.I):
            ids = _positions_to_ids(u.reference.positions, state)
            if ids:
                similar_to = ids[0]
                exclude = [similar_to]
        new.need_repeats = 0
    else:
        intent = Intent.search
        slots = u.slots
        need_terms = list(u.residual_terms)
        similar_to, exclude = None, []
        new.need_repeats = state.need_repeats + 1 if _same_need(state, slots, need_terms) else 1
        new.focus = []
    new.slots = slots
    new.need_terms = need_terms
    new.last_intent = intent
    query = build_query(need_terms, slots) or u.text
    if similar_to is not None:
        similar = next((s for s in state.shown if s.item_id == similar_to), None)
        if similar is not None:
            query = similar.title
            slots = slots.model_copy(update={"product_types": slots.product_types or [similar.product_type]})
    decision = Decision(
        intent=intent,
        action="search",
        query=query,
        filters=filters_for(slots, explicit),
        slots=slots,
        similar_to=similar_to,
        exclude_ids=exclude,
        need_terms=need_terms,
    )
    if new.need_repeats >= REPEATS_FOR_HANDOFF and not state.handoff_offered:
        decision.handoff, decision.handoff_reason = "offer", "rephrasing"
        new.handoff_offered = "rephrasing"
    return _maybe_frustrated(u, decision, new), new


def _ask(u: Understanding, state: DialogueState, explicit: SearchFilters | None) -> Decision:
    ref = u.reference
    kind = u.ask_kind or ("superlative" if ref.superlative else "detail")
    if kind == "superlative" and ref.scope == "catalog":
        slots = merge_slots(state.slots, u.slots) if state.need_terms else u.slots
        return Decision(
            intent=Intent.ask_about,
            action="ask",
            ask_kind="superlative",
            superlative=ref.superlative or "cheapest",
            scope="catalog",
            query=build_query(state.need_terms if state.need_terms else u.residual_terms, slots) or u.text,
            filters=filters_for(slots, explicit),
            slots=slots,
            attribute=u.attribute,
        )
    focus = _positions_to_ids(ref.positions, state)
    if ref.positions and not focus:  # "the fifth one" when three are shown
        return Decision(intent=Intent.ask_about, action="reply", reply="no_such_item", slots=state.slots)
    if kind == "superlative":
        focus = focus or state.shown_ids()
    elif kind == "compare":
        focus = focus or (state.focus if len(state.focus) >= 2 else state.shown_ids()[:2])
    else:
        focus = focus or state.focus[:1] or state.shown_ids()[:1]
    return Decision(
        intent=Intent.ask_about,
        action="ask",
        ask_kind=kind,
        attribute=u.attribute or "general",
        superlative=ref.superlative,
        scope="shown",
        focus_ids=focus,
        slots=state.slots,
        filters=filters_for(state.slots, explicit),
    )


def _maybe_frustrated(u: Understanding, decision: Decision, state: DialogueState) -> Decision:
    if not u.frustrated or decision.handoff is not None:
        return decision
    if state.handoff_offered == "frustration":  # offered once and still frustrated: open it
        state.handoff_offered = None
        decision.handoff, decision.handoff_reason = "open", "frustration"
    else:
        decision.handoff, decision.handoff_reason = "offer", "frustration"
        state.handoff_offered = "frustration"
    return decision


def after_search(
    decision: Decision, state: DialogueState, shown: list[tuple[str, str, float, str]], no_match: bool
) -> DialogueState:
    """Record what a search turn put on screen and whether it failed."""
    from services.gateway.dialogue_state import ShownItem

    if shown:
        state.shown = [ShownItem(item_id=i, title=t, price=p, product_type=pt) for i, t, p, pt in shown]
    state.no_match_streak = state.no_match_streak + 1 if no_match else 0
    if no_match and state.no_match_streak >= NO_MATCHES_FOR_HANDOFF and not state.handoff_offered:
        decision.handoff, decision.handoff_reason = "offer", "repeated-no-match"
        state.handoff_offered = "repeated-no-match"
    return state
