"""The dialogue checker fails bad assistants for the right reason and passes good ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ml.catalog.product import Product, Weight
from ml.evaluation.dialogues import (
    Expect,
    TurnContext,
    check_turn,
    feasibility_problems,
    load_dialogues,
)
from ml.paths import PACKAGE_ROOT, SAMPLE_CATALOG

SUITE = PACKAGE_ROOT / "sample" / "dialogues" / "dialogues.jsonl"


def card(
    item_id: str, price: float, ptype: str = "SOFA", colors: list[str] | None = None, **kw: Any
) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "title": kw.pop("title", f"{ptype.title()} {item_id}"),
        "brand": kw.pop("brand", "Rivet"),
        "product_type": ptype,
        "price": price,
        "colors": colors or ["grey"],
        **kw,
    }


def response(
    answer: str = "Here are some options.",
    products: list[dict[str, Any]] | None = None,
    intent: str = "search",
    **extra: Any,
) -> dict[str, Any]:
    filters: dict[str, Any] = {
        "price_min": None,
        "price_max": None,
        "product_types": [],
        "brands": [],
        "colors": [],
    }
    filters.update(extra.pop("filters", {}))
    return {
        "answer": answer,
        "products": products if products is not None else [],
        "citations": extra.pop("citations", []),
        "query": extra.pop("query", ""),
        "filters": filters,
        "intent": intent,
        "slots": extra.pop("slots", {}),
        "no_match": extra.pop("no_match", False),
        "alternatives": extra.pop("alternatives", False),
        "handoff": extra.pop("handoff", None),
        **extra,
    }


SOFAS = [card("S1", 650.0), card("S2", 420.0), card("S3", 510.0)]


def test_good_turn_passes() -> None:
    expect = {
        "intent": "search",
        "price_max": 700,
        "price_min": None,
        "product_types": ["SOFA"],
        "min_products": 2,
    }
    good = response(products=SOFAS, filters={"price_max": 700})
    assert check_turn(expect, good) == []


def test_wrong_intent_fails() -> None:
    reasons = check_turn({"intent": "chit_chat"}, response(intent="search"))
    assert any("intent 'search'" in r for r in reasons)
    assert check_turn({"intent": ["refine", "search"]}, response(intent="search")) == []


def test_price_direction_flipped_fails() -> None:
    """'no more than $700' understood as a minimum of 700 is two failures."""
    expect = {"price_max": 700, "price_min": None}
    flipped = response(products=[card("S9", 900.0)], filters={"price_min": 700})
    reasons = check_turn(expect, flipped)
    assert any("price_min is 700, expected unset" in r for r in reasons)
    assert any("price_max unset" in r for r in reasons)
    # bounds: "around $200" wants a band on both sides
    band = {"price_min": {"gte": 100, "lt": 200}, "price_max": {"gt": 200, "lte": 300}}
    assert check_turn(band, response(filters={"price_min": 160, "price_max": 240})) == []
    assert check_turn(band, response(filters={"price_min": 200, "price_max": 240}))


def test_prices_also_read_from_slots() -> None:
    assert check_turn({"price_max": 20}, response(slots={"price": {"max": 20}})) == []


def test_cards_outside_the_shown_price_filter_fail() -> None:
    reasons = check_turn({}, response(products=[card("S9", 900.0)], filters={"price_max": 700}))
    assert any("outside the price filter" in r for r in reasons)
    # …unless they are marked as alternatives to a no-match
    assert (
        check_turn({}, response(products=[card("S9", 900.0)], filters={"price_max": 700}, alternatives=True))
        == []
    )


def test_cheaper_must_lower_the_cap() -> None:
    before = response(products=SOFAS)  # no cap; the priciest shown is 650
    ctx = TurnContext(previous=[before])
    cheaper = response(intent="refine", products=[card("S4", 300.0)], filters={"price_max": 420})
    assert check_turn({"price_direction": "down"}, cheaper, ctx) == []
    raised = response(intent="refine", products=[card("S5", 900.0)], filters={"price_min": 650})
    reasons = check_turn({"price_direction": "down"}, raised, ctx)
    assert any("no price cap" in r for r in reasons)
    assert any("minimum raised" in r for r in reasons)
    not_lower = response(intent="refine", products=[card("S4", 300.0)], filters={"price_max": 800})
    assert any("not below" in r for r in check_turn({"price_direction": "down"}, not_lower, ctx))
    pricier = response(intent="refine", products=[card("S6", 800.0)], filters={"price_min": 651})
    assert check_turn({"price_direction": "up"}, pricier, ctx) == []
    assert check_turn({"price_direction": "up"}, cheaper, ctx)
    # capped at 700 but everything shown was at most 420: "cheaper" must go below 420
    capped = TurnContext(
        previous=[response(products=[card("S7", 400.0), card("S8", 420.0)], filters={"price_max": 700})]
    )
    barely = response(intent="refine", products=[card("S4", 300.0)], filters={"price_max": 650})
    assert any(
        "not below the previous 420" in r for r in check_turn({"price_direction": "down"}, barely, capped)
    )
    below = response(intent="refine", products=[card("S4", 300.0)], filters={"price_max": 399})
    assert check_turn({"price_direction": "down"}, below, capped) == []


def test_pink_card_when_pink_excluded_fails() -> None:
    expect = {"exclude_colors": ["pink"], "must_not_colors": ["pink"]}
    shoes = [card("R1", 60.0, "SHOES", ["blue"]), card("R2", 90.0, "SHOES", ["pink"])]
    reasons = check_turn(expect, response(products=shoes, slots={"exclude_colors": ["pink"]}))
    assert reasons == ["pink cards shown: ['R2']"]
    # the colour named only in the title counts too, and the slot must be understood
    titled = [card("R3", 60.0, "SHOES", ["multi"], title="Runner, Hot Pink")]
    reasons = check_turn(expect, response(products=titled))
    assert any("excluded colour" in r for r in reasons) and any("pink cards" in r for r in reasons)


def test_products_on_chit_chat_fail() -> None:
    expect = {"intent": "chit_chat", "no_products": True, "handoff": False}
    assert check_turn(expect, response("Hi! What are you shopping for?", intent="chit_chat")) == []
    reasons = check_turn(expect, response("Here are 5 options", products=SOFAS, intent="search"))
    assert any("3 products shown, expected none" in r for r in reasons)
    assert any("intent" in r for r in reasons)


def test_missing_fact_fails_and_stated_fact_passes() -> None:
    shown = [card("S1", 650.0), card("S2", 420.0)]
    facts = {
        "S1": Product(item_id="S1", title="Sofa S1", material="Velvet", weight=Weight(pounds=120.5)),
        "S2": Product(item_id="S2", title="Sofa S2", material="Boucle"),
    }
    ctx = TurnContext(previous=[response(products=shown)], facts=facts.get)
    expect = {"intent": "ask_about", "answer_contains_fact_of": {"position": 2, "field": "material"}}
    assert (
        check_turn(expect, response("The second one is upholstered in boucle.", intent="ask_about"), ctx)
        == []
    )
    reasons = check_turn(expect, response("It is a lovely sofa.", intent="ask_about"), ctx)
    assert reasons == ["answer does not state the material of item 2 (S2: ['Boucle'])"]
    weight = {"answer_contains_fact_of": {"position": 1, "field": "weight"}}
    assert check_turn(weight, response("It weighs about 54.7 kg."), ctx) == []
    assert check_turn(weight, response("It weighs 120.5 lb."), ctx) == []
    assert check_turn(weight, response("It is light."), ctx)


def test_answer_patterns_are_substrings_or_regexes() -> None:
    expect = {"answer_contains": ["$700", r"couldn.t find"], "answer_not_contains": [r"has (been )?shipped"]}
    assert check_turn(expect, response("Sorry, I couldn't find one under $700.")) == []
    reasons = check_turn(expect, response("Your order has been shipped."))
    assert len(reasons) == 3


def test_symbolic_references_to_shown_items() -> None:
    shown = [
        card("L1", 91.49, "LAMP", title="Brass Tripod Floor Lamp"),
        card("L2", 47.49, "LAMP", title="Dimmable Floor Lamp"),
    ]
    ctx = TurnContext(previous=[response(products=shown)])
    # the cheapest of what was shown is L2
    good = response(
        "The cheapest is the Dimmable Floor Lamp at $47.49.", intent="ask_about", citations=["L2"]
    )
    assert check_turn({"answer_cites_cheapest_of_previous": True}, good, ctx) == []
    wrong = response(
        "The cheapest is the Brass Tripod Floor Lamp at $91.49.", intent="ask_about", citations=["L1"]
    )
    reasons = check_turn({"answer_cites_cheapest_of_previous": True}, wrong, ctx)
    assert any("does not cite the cheapest" in r for r in reasons)
    assert check_turn({"answer_contains_price_of": 1}, wrong, ctx) == []
    assert check_turn({"answer_contains_price_of": [1, 2]}, wrong, ctx)
    compare = response(
        "The Brass Tripod Floor Lamp is brass; the Dimmable Floor Lamp dims.", intent="ask_about"
    )
    assert check_turn({"answer_refers_to": [1, 2]}, compare, ctx) == []
    assert check_turn({"answer_refers_to": [1, 3]}, compare, ctx) == ["no item 3 was shown before"]
    # "more like the first": same type, the first not repeated
    similar = response(intent="refine", products=[card("L3", 60.0, "LAMP"), card("L1", 91.49, "LAMP")])
    reasons = check_turn({"same_type_as_previous": 1, "exclude_previous_position": 1}, similar, ctx)
    assert reasons == ["L1 (item 1 before) shown again"]


def test_device_switch_checks_cards_and_query() -> None:
    expect = {
        "device_models": ["galaxy s21"],
        "card_title_all": [r"galaxy s21(?!\s*(\+|plus|ultra|fe)\b)"],
        "card_title_none": ["iphone"],
        "query_not_contains": ["iphone"],
    }
    cases = [card("C1", 9.0, "CELLULAR_PHONE_CASE", title="Clear Case for Samsung Galaxy S21")]
    good = response(
        intent="refine",
        products=cases,
        query="clear case galaxy s21",
        slots={"device_models": ["galaxy s21"]},
    )
    assert check_turn(expect, good) == []
    piled = response(
        intent="refine",
        products=[*cases, card("C2", 9.0, "CELLULAR_PHONE_CASE", title="Galaxy S21 Ultra Case")],
        query="clear case for iPhone 13 galaxy s21",
    )
    reasons = check_turn(expect, piled)
    assert any("still has 'iphone'" in r for r in reasons)
    assert any("not matching" in r and "S21 Ultra" in r for r in reasons)
    assert any("device model" in r for r in reasons)


def test_no_match_and_handoff() -> None:
    expect = {"no_match": True}
    assert check_turn(expect, response("I couldn't find rocket engines.", no_match=True)) == []
    shown_as_matches = response("Here are 5 options", products=SOFAS, no_match=True)
    assert any("not marked alternatives" in r for r in check_turn(expect, shown_as_matches))
    assert check_turn(expect, response("Here are 5 options", products=SOFAS))  # no_match False
    offered = {"status": "offered", "handoff_id": None, "reason": "service"}
    assert check_turn({"handoff": True}, response(handoff=offered)) == []
    assert check_turn({"handoff": "open"}, response(handoff=offered)) == [
        "handoff 'offered', expected 'open'"
    ]
    assert check_turn({"handoff": False}, response(handoff=offered)) == ["handoff 'offered', expected none"]
    assert check_turn({"handoff": ["open", "assigned"]}, response()) == [
        "handoff None, expected one of ['open', 'assigned']"
    ]


def test_brands_and_colours_normalised() -> None:
    expect = {"brands": ["AmazonBasics"], "colors": ["gray"], "card_brands": ["Amazon Basics"]}
    cards = [card("A1", 20.0, "LAMP", ["grey"], brand="AmazonBasics")]
    ok = response(products=cards, filters={"brands": ["amazonbasics"], "colors": ["grey"]})
    assert check_turn(expect, ok) == []


def test_expectations_are_validated(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        Expect.model_validate({"intnet": "search"})  # typo: unknown key
    path = tmp_path / "d.jsonl"
    row = {"id": "a", "kind": "chit_chat", "turns": [{"user": "hi", "expect": {"intent": "chit_chat"}}]}
    path.write_text(json.dumps(row) + "\n" + json.dumps(row) + "\n")
    with pytest.raises(ValueError, match="duplicate"):
        load_dialogues(path)
    path.write_text(json.dumps(row) + "\n\n// a comment\n")
    assert [d.id for d in load_dialogues(path)] == ["a"]
    assert load_dialogues(path, kinds=["service"]) == []


ISSUE_KINDS = {
    "price_negation", "price_words", "first_turn_constraints", "chit_chat", "no_match", "nonsense",
    "cheaper_pricier", "color_brand_followup", "detail", "comparison", "superlative", "device_switch",
    "more_like", "range", "non_english", "paraphrase", "identifier", "negated_attribute", "size_switch",
    "capacity_audience", "service", "handoff", "frustration", "gift",
}  # fmt: skip


def test_committed_suite_covers_every_kind_and_fits_the_sample_catalog() -> None:
    from ml.catalog.reader import read_catalog

    suite = load_dialogues(SUITE)
    assert len(suite) >= 60
    kinds = {d.kind for d in suite}
    assert kinds >= ISSUE_KINDS, ISSUE_KINDS - kinds
    assert sum(1 for k in ISSUE_KINDS if sum(d.kind == k for d in suite) >= 2) >= 20
    # every referenced id exists, and every turn's card constraints can be met by the catalog
    assert feasibility_problems(suite, read_catalog(SAMPLE_CATALOG).products) == []


def test_feasibility_flags_impossible_expectations() -> None:
    from ml.evaluation.dialogues import Dialogue

    products = [
        Product(item_id="S1", title="Grey Sofa", product_type="SOFA", colors=["grey"], price=500.0),
        Product(item_id="S2", title="Pink Sofa", product_type="SOFA", colors=["pink"], price=300.0),
    ]
    turns = [
        {
            "user": "grey sofa",
            "expect": {"product_types": ["SOFA"], "card_colors": ["grey"], "min_products": 2},
        },
        {"user": "x", "expect": {"first_item_in": ["NOPE"], "product_types": ["SOFA"]}},
        {"user": "y", "expect": {"first_item_is": "S2", "must_not_colors": ["pink"]}},
        {"user": "z", "expect": {"product_types": ["SOFA"], "price_max": 400, "card_colors": ["pink"]}},
    ]
    dialogue = Dialogue.model_validate({"id": "d", "kind": "k", "turns": turns})
    problems = feasibility_problems([dialogue], products)
    assert problems == [
        "d turn 1: only 1 products fit, expected at least 2",
        "d turn 2: unknown item NOPE",
        "d turn 3: S2 violates the turn's own card constraints",
    ]
