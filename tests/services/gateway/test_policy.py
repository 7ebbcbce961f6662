"""The dialogue policy on typed understandings: each intent updates the state explicitly."""

from __future__ import annotations

from ml.retrieval.types import SearchFilters
from ml.understanding.types import Intent, PriceSlot, Reference, Slots, Understanding
from services.gateway import policy
from services.gateway.dialogue_state import DialogueState, ShownItem


def u(text: str, intent: Intent, **kw: object) -> Understanding:
    return Understanding(text=text, intent=intent, confidence=0.9, **kw)  # type: ignore[arg-type]


def shown_state() -> DialogueState:
    return DialogueState(
        need_terms=["clear"],
        slots=Slots(
            product_types=["CELLULAR_PHONE_CASE"],
            type_terms=["case"],
            device_models=["iphone 13"],
            colors=["black"],
            price=PriceSlot(max=40),
        ),
        shown=[
            ShownItem(
                item_id="A1", title="Clear case iPhone 13", price=10.0, product_type="CELLULAR_PHONE_CASE"
            ),
            ShownItem(
                item_id="B2", title="Black case iPhone 13", price=20.0, product_type="CELLULAR_PHONE_CASE"
            ),
            ShownItem(
                item_id="C3", title="Wallet case iPhone 13", price=30.0, product_type="CELLULAR_PHONE_CASE"
            ),
        ],
        last_intent=Intent.search,
    )


def test_new_search_resets_everything() -> None:
    state = shown_state()
    turn = u(
        "a grey sofa for no more than $700",
        Intent.search,
        slots=Slots(product_types=["SOFA"], type_terms=["sofa"], colors=["grey"], price=PriceSlot(max=700)),
    )
    decision, new = policy.decide(turn, state)
    assert decision.action == "search" and decision.intent is Intent.search
    assert decision.filters == SearchFilters(price_max=700, product_types=["SOFA"], colors=["grey"])
    assert new.slots.device_models == [] and new.need_terms == []
    assert "iphone" not in decision.query and "clear" not in decision.query


def test_refine_changes_only_what_changed_and_never_piles_words() -> None:
    state = shown_state()
    turn = u("what about for a Galaxy S21?", Intent.refine, slots=Slots(device_models=["galaxy s21"]))
    decision, new = policy.decide(turn, state)
    assert decision.intent is Intent.refine
    assert new.slots.device_models == ["galaxy s21"]
    assert new.slots.colors == ["black"] and new.slots.price == PriceSlot(max=40)  # carried
    assert "iphone" not in decision.query and "galaxy s21" in decision.query
    again, _ = policy.decide(u("in black?", Intent.refine, slots=Slots(colors=["black"])), new)
    assert again.query == decision.query  # rebuilt from the state, not appended


def test_cheaper_moves_the_ceiling_under_the_shown_prices() -> None:
    state = shown_state().model_copy(update={"slots": Slots(product_types=["CELLULAR_PHONE_CASE"])})
    cheaper = Slots(price_change="cheaper")
    decision, _ = policy.decide(u("cheaper ones?", Intent.refine, slots=cheaper), state)
    assert decision.filters.price_max == 19.99 and decision.filters.price_min is None
    pricier = Slots(price_change="pricier")
    decision, _ = policy.decide(u("more expensive ones", Intent.refine, slots=pricier), state)
    assert decision.filters.price_min == 20.01


def test_exclusions_accumulate_and_a_named_colour_lifts_its_exclusion() -> None:
    state = shown_state()
    _, new = policy.decide(u("not pink", Intent.refine, slots=Slots(exclude_colors=["pink"])), state)
    _, newer = policy.decide(u("no red either", Intent.refine, slots=Slots(exclude_colors=["red"])), new)
    assert newer.slots.exclude_colors == ["pink", "red"]
    _, last = policy.decide(u("actually pink is fine", Intent.refine, slots=Slots(colors=["pink"])), newer)
    assert last.slots.colors == ["pink"] and last.slots.exclude_colors == ["red"]


def test_questions_search_nothing_and_keep_the_shown_list() -> None:
    state = shown_state()
    turn = u(
        "what material is the second one?",
        Intent.ask_about,
        reference=Reference(positions=[1]),
        ask_kind="detail",
        attribute="material",
    )
    decision, new = policy.decide(turn, state)
    assert decision.action == "ask" and decision.focus_ids == ["B2"] and decision.query == ""
    assert new.shown == state.shown and new.focus == ["B2"]
    pronoun, _ = policy.decide(
        u(
            "is it waterproof?",
            Intent.ask_about,
            reference=Reference(pronoun=True),
            ask_kind="detail",
            attribute="features",
        ),
        new,
    )
    assert pronoun.focus_ids == ["B2"]  # "it" is the item asked about last
    compare, _ = policy.decide(
        u(
            "what's the difference between the first and the third?",
            Intent.ask_about,
            reference=Reference(positions=[0, 2]),
            ask_kind="compare",
        ),
        state,
    )
    assert compare.ask_kind == "compare" and compare.focus_ids == ["A1", "C3"]
    cheapest, _ = policy.decide(
        u(
            "which one is the cheapest?",
            Intent.ask_about,
            reference=Reference(superlative="cheapest"),
            ask_kind="superlative",
        ),
        state,
    )
    assert cheapest.focus_ids == ["A1", "B2", "C3"] and cheapest.superlative == "cheapest"
    missing, _ = policy.decide(
        u("the fifth one?", Intent.ask_about, reference=Reference(positions=[4]), ask_kind="detail"), state
    )
    assert missing.action == "reply" and missing.reply == "no_such_item"


def test_catalog_superlative_searches_with_the_current_need() -> None:
    decision, _ = policy.decide(
        u(
            "what's your cheapest one?",
            Intent.ask_about,
            reference=Reference(superlative="cheapest", scope="catalog"),
            ask_kind="superlative",
        ),
        shown_state(),
    )
    assert decision.action == "ask" and decision.scope == "catalog"
    assert decision.filters.product_types == ["CELLULAR_PHONE_CASE"] and "iphone 13" in decision.query


def test_service_offers_a_person_and_yes_opens_the_handoff() -> None:
    decision, state = policy.decide(u("where is my order?", Intent.service), DialogueState())
    assert decision.action == "reply" and decision.reply == "service" and decision.handoff == "offer"
    yes, after = policy.decide(u("yes please", Intent.chit_chat), state)
    assert yes.action == "handoff" and yes.handoff == "open" and yes.handoff_reason == "service"
    assert after.handoff_offered is None
    _, offered = policy.decide(u("where is my order?", Intent.service), DialogueState())
    no, declined = policy.decide(u("no thanks", Intent.chit_chat), offered)
    assert no.handoff is None and declined.handoff_offered is None


def test_asking_for_a_person_opens_a_handoff_at_once() -> None:
    decision, _ = policy.decide(u("I want to talk to a real person", Intent.handoff), shown_state())
    assert decision.action == "handoff" and decision.handoff == "open" and decision.handoff_reason == "asked"


def test_frustration_offers_then_opens() -> None:
    angry = u("this is useless, you're not helping", Intent.chit_chat, frustrated=True, sentiment=-0.7)
    first, state = policy.decide(angry, shown_state())
    assert first.handoff == "offer" and first.handoff_reason == "frustration"
    second, _ = policy.decide(angry, state)
    assert second.handoff == "open"


def test_two_no_matches_in_a_row_offer_a_person() -> None:
    state = DialogueState()
    for attempt in range(2):
        decision, state = policy.decide(
            u(f"rocket engine {attempt}", Intent.search, residual_terms=["rocket", "engine"]), state
        )
        state = policy.after_search(decision, state, [], no_match=True)
    assert decision.handoff == "offer" and decision.handoff_reason == "repeated-no-match"


def test_rephrasing_the_same_need_three_times_offers_a_person() -> None:
    state = DialogueState()
    sofa = Slots(product_types=["SOFA"], type_terms=["sofa"])
    texts = ["a comfy sofa", "sofa that is comfortable", "comfortable couch please"]
    decisions = []
    for text in texts:
        decision, state = policy.decide(u(text, Intent.search, slots=sofa, residual_terms=["comfy"]), state)
        state = policy.after_search(decision, state, [("S1", "Sofa", 500.0, "SOFA")], no_match=False)
        decisions.append(decision)
    assert [d.handoff for d in decisions] == [None, None, "offer"]


def test_gibberish_asks_to_rephrase_and_chit_chat_keeps_state() -> None:
    state = shown_state()
    decision, new = policy.decide(u("asdkjh qwpoeiru", Intent.search, gibberish=True), state)
    assert decision.action == "reply" and decision.reply == "rephrase" and new.shown == state.shown
    hello, after = policy.decide(u("thanks!", Intent.chit_chat), state)
    assert hello.action == "reply" and after.slots == state.slots


def test_explicit_filters_override_slots() -> None:
    turn = u("sofa under $700", Intent.search, slots=Slots(product_types=["SOFA"], price=PriceSlot(max=700)))
    decision, _ = policy.decide(turn, DialogueState(), SearchFilters(price_max=500, brands=["acme"]))
    assert decision.filters.price_max == 500 and decision.filters.brands == ["acme"]
    assert decision.filters.product_types == ["SOFA"]
