"""References to shown items, question kinds, and keyboard-mash detection."""

from __future__ import annotations

from typing import Any

import pytest

from ml.understanding.gibberish import has_content, looks_like_gibberish
from ml.understanding.questions import classify_question
from ml.understanding.references import extract_reference
from ml.understanding.vocab import CatalogVocabulary

REFERENCES: list[tuple[str, dict[str, Any]]] = [
    ("the second one", {"positions": [1]}),
    ("#2", {"positions": [1]}),
    ("number 3", {"positions": [2]}),
    ("item 4", {"positions": [3]}),
    ("the 3rd", {"positions": [2]}),
    ("option two", {"positions": [1]}),
    ("the last one", {"positions": [-1]}),
    ("the first two", {"positions": [0, 1]}),
    ("the last two", {"positions": [-2, -1]}),
    ("the first and the third", {"positions": [0, 2]}),
    ("tell me more about the first one", {"positions": [0]}),
    ("both", {"positions": [0, 1]}),
    ("the cheaper of the two", {"superlative": "cheapest", "all_shown": True, "positions": []}),
    ("the bigger of these", {"superlative": "biggest", "all_shown": True}),
    ("is it waterproof?", {"pronoun": True, "positions": []}),
    ("that one", {"pronoun": True}),
    ("more like them", {"pronoun": True}),
    ("which of these is waterproof", {"all_shown": True}),
    ("the cheapest of these", {"superlative": "cheapest", "scope": "shown"}),
    ("which one is the cheapest?", {"superlative": "cheapest", "scope": "shown"}),
    ("your cheapest sofa", {"superlative": "cheapest", "scope": "catalog"}),
    ("what's the most expensive sofa you have", {"superlative": "priciest", "scope": "catalog"}),
    ("the priciest one", {"superlative": "priciest"}),
    ("the lightest", {"superlative": "lightest"}),
    ("the heaviest of them", {"superlative": "heaviest", "scope": "shown"}),
    ("the biggest one", {"superlative": "biggest"}),
    ("the largest", {"superlative": "biggest"}),
    ("the smallest", {"superlative": "smallest"}),
    ("hello", {"positions": [], "pronoun": False, "superlative": None}),
    ("thanks, that's all", {"pronoun": False}),
]


@pytest.mark.parametrize(("text", "expected"), REFERENCES, ids=[r[0] for r in REFERENCES])
def test_references(text: str, expected: dict[str, Any]) -> None:
    ref = extract_reference(text, shown_count=5)
    for field, want in expected.items():
        assert getattr(ref, field) == want, (field, ref)


def test_references_respect_what_was_shown() -> None:
    assert extract_reference("the fourth one", shown_count=3).positions == []
    assert extract_reference("the second one", shown_count=0).positions == []
    assert extract_reference("is it waterproof", shown_count=0).pronoun is False
    assert extract_reference("the cheapest", shown_count=0).scope == "catalog"


QUESTIONS: list[tuple[str, tuple[str | None, str | None]]] = [
    ("what material is the second one?", ("detail", "material")),
    ("how deep are the pockets?", ("detail", "dimensions")),
    ("what are the dimensions", ("detail", "dimensions")),
    ("how big is the rug?", ("detail", "dimensions")),
    ("how heavy is it", ("detail", "weight")),
    ("what is the weight of the second", ("detail", "weight")),
    ("does it fit an iphone 13", ("detail", "compatibility")),
    ("is it waterproof", ("detail", "features")),
    ("is the first one machine washable?", ("detail", "features")),
    ("how much is the third one?", ("detail", "price")),
    ("what colours does it come in?", ("detail", "color")),
    ("who makes it?", ("detail", "brand")),
    ("how many people does it seat?", ("detail", "capacity")),
    ("tell me more about the first one", ("detail", "general")),
    ("what's the difference between the first and the second?", ("compare", "general")),
    ("compare them", ("compare", "general")),
    ("compare the prices of the first two", ("compare", "price")),
    ("which is better", ("compare", "general")),
    ("the first vs the second", ("compare", "general")),
    ("which one is the cheapest?", ("superlative", "price")),
    ("which is the lightest of these", ("superlative", "weight")),
    ("which one is biggest?", ("superlative", "dimensions")),
    ("a grey sofa under $700", (None, None)),
    ("hello", (None, None)),
    ("show me waterproof boots", (None, None)),
    ("thanks", (None, None)),
]


@pytest.mark.parametrize(("text", "expected"), QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_questions(text: str, expected: tuple[str | None, str | None]) -> None:
    assert classify_question(text) == expected


@pytest.mark.parametrize(
    "text", ["asdkjh qwpoeiru", "sdfgsdfg", "xcvbnm", "zxcv asdf", "jfjfjfj", "kwpqx", "dfghj kl", "nd nd nd"]
)
def test_gibberish(vocab: CatalogVocabulary, text: str) -> None:
    assert looks_like_gibberish(text, vocab)


@pytest.mark.parametrize(
    "text",
    [
        "iphone 13 case",
        "SM-G991B",
        "F-91W",
        "grau sofa",
        "hi",
        "ok",
        "hello!",
        "blorf",
        "zapatos rojos",
        "chaussures noires",
        "ich suche ein sofa",
        "Wohnzimmer Lampe",
        "quiero una mochila",
        "ソファ",
        "nimbus9",
        "Solimo",
        "Kavach",
        "a rocket engine for my spaceship",
        "where is my order?",
        "😀😀",
        "???",
        "",
    ],
)
def test_not_gibberish(vocab: CatalogVocabulary, text: str) -> None:
    assert not looks_like_gibberish(text, vocab)


def test_emoji_only_has_no_content() -> None:
    assert not has_content("😀🙏") and not has_content("  ?! ") and has_content("sofa 😀")
