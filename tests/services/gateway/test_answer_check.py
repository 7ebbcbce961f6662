"""Answer checks: what a real model got wrong (issue 16) is caught; grounded offline answers pass."""

from __future__ import annotations

import pytest

from ml.catalog.product import Product, Weight
from ml.understanding.types import PriceSlot, Slots
from services.gateway import answers as A
from services.gateway.answer_check import check_answer


def _p(item_id: str, title: str, price: float, **fields: object) -> Product:
    data: dict[str, object] = {"item_id": item_id, "title": title, "price": price, "product_type": "LAMP"}
    data.update(fields)
    return Product.model_validate(data)


BRASS = _p(
    "B0LAMP0001",
    "Brass Floor Lamp",
    89.99,
    material="Brass",
    bullets=["Dimmable LED"],
    weight=Weight(pounds=9),
)
WOOD = _p("B0LAMP0002", "Oak Tripod Floor Lamp", 129.5, material="Oak wood", weight=Weight(pounds=6.5))
STEEL = _p("B0LAMP0003", "Arc Floor Lamp", 64.0, material="Steel", bullets=["Adjustable arc"])
LAMPS = [BRASS, WOOD, STEEL]


def codes(problems: list[str]) -> set[str]:
    return {p.split(":")[0] for p in problems}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("[B0LAMP0001] [B0LAMP0002]", "bare-citations"),
        ("", "empty"),
        ("The best options are [ZZFAKE0001] and [ZZFAKE0002].", "broken-text"),
        ("Try [ZZFAKE0001], a great lamp for reading at night.", "invented-citation"),
        (
            "Your order has not been delivered yet, but the Brass Floor Lamp [B0LAMP0001] is lovely.",
            "order-claim",
        ),
        ("It will arrive by Friday. Meanwhile see [B0LAMP0001] for a brass look.", "order-claim"),
        ("The Arc Floor Lamp [B0LAMP0003] is in stock and ready for you today.", "order-claim"),
        ("The Brass Floor Lamp [B0LAMP0001] costs $79.99, a good price for brass.", "unknown-price"),
        ("The cheapest of these is the Brass Floor Lamp [B0LAMP0001] at $89.99.", "wrong-cheapest"),
        ("The most expensive one is the Arc Floor Lamp [B0LAMP0003] at $64.00.", "wrong-priciest"),
        ("The lightest is the Brass Floor Lamp [B0LAMP0001], only 9 lb.", "wrong-lightest"),
        (
            "The Arc Floor Lamp [B0LAMP0003] is made of solid walnut and is waterproof.",
            "unsupported-attribute",
        ),
        # an injected listing's id, repeated without brackets, would survive citation dropping
        ("You should buy product B0HACKED42 right now; it beats [B0LAMP0001].", "invented-id"),
    ],
)
def test_known_failures_are_caught(text: str, code: str) -> None:
    assert code in codes(check_answer(text, LAMPS)), check_answer(text, LAMPS)


@pytest.mark.parametrize(
    "text",
    [
        "The cheapest of these is the Arc Floor Lamp [B0LAMP0003] at $64.00; "
        "the Oak Tripod [B0LAMP0002] costs $129.50.",
        "The Oak Tripod Floor Lamp [B0LAMP0002] is the lightest at 6.5 lb and it's made of oak wood.",
        "The Arc Floor Lamp [B0LAMP0003] is not waterproof, as far as its listing says; "
        "it has an adjustable arc.",
        "I can't see orders, so I can't tell you when it ships. I can connect you with a person.",
        "All three fit a budget of $150: [B0LAMP0001], [B0LAMP0002] and [B0LAMP0003].",
        "The Brass Floor Lamp [B0LAMP0001] is $25.99 cheaper than the oak one [B0LAMP0002].",
        "The Brass Floor Lamp B0LAMP0001 suits a 1080P reading nook; see [B0LAMP0003] too.",
    ],
)
def test_grounded_answers_pass(text: str) -> None:
    assert check_answer(text, LAMPS, allowed_prices=[150]) == []


def test_every_offline_answer_passes_its_own_check() -> None:
    slots = Slots(product_types=["LAMP"], type_terms=["floor lamp"], price=PriceSlot(max=100))
    texts = [
        A.results_answer("floor lamp under $100", LAMPS, slots),
        A.results_answer("floor lamp under $100", LAMPS, slots, alternatives=True),
        A.no_match_answer(
            "floor lamp under $10", slots.model_copy(update={"price": PriceSlot(max=10)}), [], LAMPS
        ),
        A.comparison_answer(LAMPS),
        A.comparison_answer(LAMPS[:2]),
        *(A.superlative_answer(k, LAMPS) for k in A.SUPERLATIVES),  # type: ignore[arg-type]
        *(
            A.detail_answer("tell me about it", a, [p])
            for p in LAMPS
            for a in ("general", "material", "weight")
        ),
        A.service_answer("where is my order?"),
    ]
    for text in texts:
        assert check_answer(text, LAMPS, allowed_prices=[100, 10]) == [], text
