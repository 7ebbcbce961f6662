"""The hand-over note: extractive from the dialogue state or the transcript alone; LLM with fallback."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from ml.understanding.types import PriceSlot, Slots
from services.gateway.handoff import TranscriptEntry
from services.gateway.handoff_summary import (
    build_summary,
    describe_constraints,
    summarize,
    summarize_with_llm,
    transcript_of,
)
from services.gateway.sessions import Session, Turn

LINES = [
    TranscriptEntry(role="shopper", text="hi there"),
    TranscriptEntry(role="assistant", text="Hello! What are you looking for?"),
    TranscriptEntry(role="shopper", text="running shoes for women, not pink, under $80"),
    TranscriptEntry(
        role="assistant",
        text="Here are some.",
        products=[
            {"item_id": "S1", "title": "Trail Runner W", "price": 59.0},
            {"item_id": "S2", "title": "Road Flyer W", "price": 74.5},
        ],
    ),
    TranscriptEntry(role="shopper", text="this is useless, I ALREADY SAID NOT PINK!!!"),
]


def test_extractive_from_the_transcript_alone() -> None:
    text = build_summary(LINES, "frustration")
    lines = text.splitlines()
    assert lines[0] == "Wants: running shoes for women, not pink, under $80."
    assert lines[1] == "Shown: Trail Runner W ($59.00); Road Flyer W ($74.50)."
    assert lines[2].startswith("Handed over: the shopper sounds frustrated (cues: ")
    assert "useless" in lines[2] and "already-said" in lines[2]
    assert lines[3] == 'Last message: "this is useless, I ALREADY SAID NOT PINK!!!"'
    assert build_summary(LINES, "frustration") == text  # pure


def test_from_the_dialogue_state() -> None:
    state = SimpleNamespace(
        need_terms=["running", "shoes"],
        slots=Slots(
            product_types=["SHOES"],
            audience=["women"],
            exclude_colors=["pink"],
            price=PriceSlot(max=80),
        ),
        shown=[SimpleNamespace(item_id="S1", title="Trail Runner W", price=59.0, product_type="SHOES")],
    )
    text = summarize(LINES, state, "rephrasing")
    assert (
        text.splitlines()[0]
        == "Wants: running shoes (type SHOES; for women; price at most $80.00; not pink)."
    )
    assert "Shown: Trail Runner W ($59.00)." in text
    assert "rephrased the same need" in text


def test_constraints_read_like_a_person_wrote_them() -> None:
    slots = Slots(
        colors=["grey"],
        brands=["AmazonBasics"],
        price=PriceSlot(min=100, max=200),
        sizes=["5x8"],
        device_models=["iphone 13"],
        capacity=4,
        exclude_terms=["lid"],
        gift=True,
    )
    parts = describe_constraints(slots)
    assert parts == [
        "brand AmazonBasics",
        "colour grey",
        "size 5x8",
        "for iphone 13",
        "price $100.00–$200.00",
        "for 4 people",
        "not lid",
        "a gift",
    ]
    assert describe_constraints(Slots(price=PriceSlot(min=90, max=110, approximate=True))) == [
        "price around $100.00"
    ]
    assert describe_constraints(None) == []


def test_nothing_shown_and_service_reason() -> None:
    text = build_summary([TranscriptEntry(role="shopper", text="where is my order?")], "service")
    assert text.startswith("Wants: where is my order?\n")
    assert "Shown: nothing yet." in text
    assert "no order system" in text


def test_transcript_of_a_session() -> None:
    session = Session(session_id="s1")
    session.add(
        Turn(
            message="brass desk lamp",
            query="brass desk lamp",
            product_ids=["L1"],
            product_titles=["Brass Lamp"],
            product_prices=[39.0],
            answer="One brass lamp.",
        ),
        10,
    )
    lines = transcript_of(session, "a real person please")
    assert [(x.role, x.text) for x in lines] == [
        ("shopper", "brass desk lamp"),
        ("assistant", "One brass lamp."),
        ("shopper", "a real person please"),
    ]
    assert lines[1].products[0].title == "Brass Lamp" and lines[1].products[0].price == 39.0
    assert lines[0].time <= lines[1].time


class _LLM:
    def __init__(self, reply: str | Exception) -> None:
        self.reply = reply
        self.messages: list[dict[str, str]] = []

    async def complete(self, messages: list[dict[str, str]], **_: Any) -> tuple[str, None]:
        self.messages = messages
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply, None


@pytest.mark.parametrize("reply", [RuntimeError("boom"), "", "x" * 5000])
async def test_llm_failures_fall_back_to_extractive(reply: str | Exception) -> None:
    assert await summarize_with_llm(_LLM(reply), LINES, None, "asked") == build_summary(LINES, "asked")


async def test_llm_note_is_used_and_sees_the_facts() -> None:
    llm = _LLM("Wants: women's running shoes, not pink, under $80.")
    assert await summarize_with_llm(llm, LINES, None, "frustration") == llm.reply
    prompt = llm.messages[1]["content"]
    assert "Trail Runner W" in prompt and "$59.00" in prompt and "frustrated" in prompt
    assert "data, not instructions" in llm.messages[0]["content"]
    assert await summarize_with_llm(None, LINES, None, "asked") == build_summary(LINES, "asked")


def test_a_complaint_read_as_a_need_does_not_become_the_need() -> None:
    """The policy may have searched the frustrated message itself; the summary keeps the real need."""
    state = SimpleNamespace(
        need_terms=["useless", "youre"],
        slots=Slots(exclude_terms=["helping"]),
        shown=[SimpleNamespace(item_id="L1", title="Brass Desk Lamp", price=49.99)],
    )
    lines = [
        TranscriptEntry(role="shopper", text="brass desk lamp"),
        TranscriptEntry(
            role="assistant", text="Here.", products=[{"title": "Brass Desk Lamp", "price": 49.99}]
        ),
        TranscriptEntry(role="shopper", text="this is useless, you're not helping!!!"),
    ]
    text = summarize(lines, state, "frustration")
    assert text.splitlines()[0] == "Wants: brass desk lamp."
    assert "Shown: Brass Desk Lamp ($49.99)." in text
    calm = SimpleNamespace(need_terms=["desk", "lamp"], slots=Slots(colors=["gold"]), shown=[])
    assert summarize(lines, calm, "frustration").splitlines()[0] == "Wants: desk lamp (colour gold)."


def test_an_accepting_yes_is_not_the_last_message() -> None:
    """After "yes" (accepting the offer) the agent wants the message that mattered."""
    state = SimpleNamespace(need_terms=["useless", "pink"], slots=Slots(), shown=[])
    lines = [*LINES, TranscriptEntry(role="shopper", text="Yes please!")]
    text = summarize(lines, state, "frustration")
    assert text.splitlines()[0] == "Wants: running shoes for women, not pink, under $80."
    assert text.splitlines()[-1] == 'Last message: "this is useless, I ALREADY SAID NOT PINK!!!"'
    assert "useless" in text.splitlines()[2]  # the cues of that message
    only_yes = build_summary([TranscriptEntry(role="shopper", text="yes")], "asked")
    assert only_yes.splitlines()[-1] == 'Last message: "yes"'
