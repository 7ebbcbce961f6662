"""Slot extraction over the vocabulary learned from the committed sample catalog.

Each case names only the fields it is about; every other field may be anything, except where a
case says a field must be empty (``None`` / ``[]``)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from ml.understanding.slots import extract_slots
from ml.understanding.vocab import CatalogVocabulary

CASES: list[tuple[str, dict[str, Any]]] = [
    # product type: head noun wins, plural/singular, synonyms, learned phrases
    ("grey sofa", {"product_types": ["SOFA"], "colors": ["grey"]}),
    ("sofas", {"product_types": ["SOFA"]}),
    ("a couch", {"product_types": ["SOFA"]}),
    ("floor lamp", {"product_types": ["LAMP"], "type_terms": ["floor lamp"]}),
    ("phone cover", {"product_types": ["CELLULAR_PHONE_CASE"]}),
    ("phone case for iphone 13", {"product_types": ["CELLULAR_PHONE_CASE"], "device_models": ["iphone 13"]}),
    ("shoes for running", {"product_types": ["SHOES"]}),
    ("running shoes", {"product_types": ["SHOES"]}),
    ("sofa slipcover", {"product_types": []}),
    ("sofa cover", {"product_types": []}),
    ("pillow cover", {"product_types": ["PILLOW"]}),
    ("slipcover for a sofa", {"product_types": []}),
    ("a stand for my headphones", {"product_types": []}),
    ("sofa table", {"product_types": ["TABLE"]}),
    ("coffee table in walnut", {"product_types": ["TABLE"], "colors": ["brown"]}),
    ("desk lamp", {"product_types": ["LAMP"]}),
    ("a lamp and a rug", {"product_types": ["LAMP", "RUG"]}),
    ("a bag", {"product_types": ["HANDBAG", "BACKPACK", "LUGGAGE"]}),
    ("rucksack", {"product_types": ["BACKPACK"]}),
    ("a set of pillows", {"product_types": ["PILLOW"]}),
    ("sofaa", {"product_types": ["SOFA"]}),
    ("chocolate bar", {"product_types": ["GROCERY"], "colors": []}),
    ("a rocket engine for my spaceship", {"product_types": []}),
    ("a tent for a family of four", {"product_types": [], "capacity": 4}),
    ("something for my wife, a handbag", {"product_types": ["HANDBAG"], "gift": True}),
    ("looking for a bed frame", {"product_types": ["BED_FRAME"]}),
    ("hiking boots", {"product_types": ["BOOT"]}),
    (
        "screen protector for galaxy s21",
        {"product_types": ["SCREEN_PROTECTOR"], "device_models": ["galaxy s21"]},
    ),
    ("alfombra", {"product_types": ["RUG"]}),
    ("any with a laptop sleeve?", {"product_types": []}),
    ("a chair in the living room", {"product_types": ["CHAIR"]}),
    # brand
    ("amazon basics backpack", {"brands": ["AmazonBasics"], "product_types": ["BACKPACK"]}),
    ("AmazonBasics headphones", {"brands": ["AmazonBasics"]}),
    ("amazonbasic headphones", {"brands": ["AmazonBasics"]}),
    ("Amazon-Basics", {"brands": ["AmazonBasics"]}),
    ("stone & beam sofa", {"brands": ["Stone & Beam"]}),
    ("stone and beam sofa", {"brands": ["Stone & Beam"]}),
    ("walker edisson desk", {"brands": ["Walker Edison"]}),
    ("spigen style case", {"brands": ["Spigen Style"]}),
    ("find me a sofa", {"brands": []}),
    ("Caseology case for pixel 7a", {"brands": ["Caseology Lite"], "device_models": ["pixel 7a"]}),
    ("caseology case", {"brands": ["Caseology Lite"]}),
    ("solimo cover for redmi note 10", {"device_models": ["redmi note 10"]}),
    # colour: synonyms, shades, British/US, other languages
    ("navy rug", {"colors": ["blue"]}),
    ("charcoal couch", {"colors": ["grey"]}),
    ("burgundy velvet sofa", {"colors": ["red"], "materials": ["velvet"]}),
    ("gray chair", {"colors": ["grey"]}),
    ("grey colour backpack", {"colors": ["grey"]}),
    ("grau sofa", {"colors": ["grey"], "product_types": ["SOFA"]}),
    ("noir handbag", {"colors": ["black"]}),
    ("mochila negro", {"colors": ["black"]}),
    ("rosso jacket", {"colors": ["red"]}),
    ("schwarz boots", {"colors": ["black"]}),
    ("blanc pillow", {"colors": ["white"]}),
    ("light blue blanket", {"colors": ["blue"]}),
    ("oatmeal bed frame", {"colors": ["beige"]}),
    ("clear case", {"colors": ["clear"]}),
    ("multicolour rug", {"colors": ["multi"]}),
    ("in gold", {"colors": ["gold"]}),
    # material
    ("leather handbag", {"materials": ["leather"], "product_types": ["HANDBAG"]}),
    ("faux leather jacket", {"materials": ["faux leather"], "product_types": ["JACKET"]}),
    ("wooden desk", {"materials": ["wood"]}),
    ("solid wood table", {"materials": ["solid wood"]}),
    # sizes
    ("5x8 rug", {"sizes": ["5x8"]}),
    ("5'x8' rug", {"sizes": ["5x8 ft"]}),
    ("rug 160 x 230 cm", {"sizes": ["160x230 cm"]}),
    ("17 inch laptop backpack", {"sizes": ["17 inch"]}),
    ('a 17" laptop backpack', {"sizes": ["17 inch"]}),
    ("queen bed frame", {"sizes": ["queen"], "product_types": ["BED_FRAME"]}),
    ("king size blanket", {"sizes": ["king"]}),
    ("twin blanket", {"sizes": ["twin"]}),
    ("full size bed", {"sizes": ["full"]}),
    ("full grain leather bag", {"sizes": []}),
    ("jacket size XL", {"sizes": ["xl"]}),
    ("shoe size 9", {"sizes": ["size 9"]}),
    ("boots size 7.5", {"sizes": ["size 7.5"]}),
    # audience
    ("women's running shoes", {"audience": ["women"]}),
    ("ladies jacket", {"audience": ["women"]}),
    ("female watch", {"audience": ["women"]}),
    ("men's boots", {"audience": ["men"]}),
    ("kids backpack", {"audience": ["kids"], "product_types": ["BACKPACK"]}),
    ("headphones for children", {"audience": ["kids"]}),
    ("toddler sandals", {"audience": ["kids"]}),
    ("shoes for boys", {"audience": ["kids"]}),
    ("a blanket for the baby", {"audience": ["baby"]}),
    ("something for my dog", {"audience": ["dog"]}),
    ("a cat bed", {"audience": ["cat"]}),
    # capacity
    ("4 person tent", {"capacity": 4}),
    ("tent for 6 people", {"capacity": 6}),
    ("two-person tent", {"capacity": 2}),
    ("3-seater sofa", {"capacity": 3}),
    ("the first two", {"capacity": None}),
    # features
    ("waterproof hiking boots", {"features": ["waterproof"]}),
    ("magsafe case for iphone 14 pro", {"features": ["magsafe"], "device_models": ["iphone 14 pro"]}),
    ("wireless headphones", {"features": ["wireless"]}),
    ("noise cancelling headphones", {"features": ["noise cancelling"]}),
    ("noise-canceling headphones", {"features": ["noise cancelling"]}),
    ("non-slip rug", {"features": ["non slip"], "exclude_terms": []}),
    # gift
    ("a gift for my mum", {"gift": True}),
    ("birthday present for my brother", {"gift": True}),
    ("a sofa", {"gift": False}),
    # price: direction and negation
    ("a sofa for no more than $700", {"price": {"max": 700.0, "min": None}}),
    ("floor lamp, not less than $90", {"price": {"min": 90.0, "max": None}}),
    ("not over 50", {"price": {"max": 50.0, "min": None}}),
    ("at most $30", {"price": {"max": 30.0}}),
    ("up to 25 dollars", {"price": {"max": 25.0}}),
    ("under twenty dollars", {"price": {"max": 20.0}}),
    ("under twenty-five bucks", {"price": {"max": 25.0}}),
    ("below a hundred", {"price": {"max": 100.0}}),
    ("less than fifty", {"price": {"max": 50.0}}),
    ("at least $40", {"price": {"min": 40.0, "max": None}}),
    ("over 200", {"price": {"min": 200.0}}),
    ("more than $1,200", {"price": {"min": 1200.0}}),
    ("over 1.5k", {"price": {"min": 1500.0}}),
    ("around $100", {"price": {"min": 80.0, "max": 120.0, "approximate": True}}),
    ("about 50 dollars", {"price": {"min": 40.0, "max": 60.0, "approximate": True}}),
    ("roughly $200", {"price": {"min": 160.0, "max": 240.0}}),
    ("between 100 and 200", {"price": {"min": 100.0, "max": 200.0}}),
    ("100-200 dollars", {"price": {"min": 100.0, "max": 200.0}}),
    ("$50 to $80", {"price": {"min": 50.0, "max": 80.0}}),
    ("over 50 but under 100", {"price": {"min": 50.0, "max": 100.0}}),
    ("$1,200 or less", {"price": {"max": 1200.0}}),
    ("i don't want to spend more than 100", {"price": {"max": 100.0}}),
    ("nothing over $50", {"price": {"max": 50.0}}),
    ("not under 30", {"price": {"min": 30.0}}),
    ("my budget is 300", {"price": {"max": 300.0}}),
    ("a 5x8 rug under 200", {"price": {"max": 200.0}, "sizes": ["5x8"]}),
    ("iphone 13 case under 20", {"price": {"max": 20.0}, "device_models": ["iphone 13"]}),
    ("a 3-seater sofa", {"price": None}),
    ("size 9 shoes", {"price": None}),
    ("up to 3 people", {"price": None, "capacity": 3}),
    ("cheaper ones?", {"price": None, "price_change": "cheaper"}),
    ("something more expensive", {"price_change": "pricier"}),
    ("a bigger one", {"size_change": "bigger"}),
    # currencies (converted to USD with the fixed table, currency kept)
    ("less than £40", {"price": {"max": 50.8, "currency": "GBP"}}),
    ("under 40 pounds", {"price": {"max": 50.8, "currency": "GBP"}}),
    ("no less than 90 euros", {"price": {"min": 97.2, "currency": "EUR"}}),
    ("under €100", {"price": {"max": 108.0, "currency": "EUR"}}),
    ("under 5000 rupees", {"price": {"max": 60.0, "currency": "INR"}}),
    ("below ₹2000", {"price": {"max": 24.0, "currency": "INR"}}),
    ("under rs 1000", {"price": {"max": 12.0, "currency": "INR"}}),
    ("under ¥10000", {"price": {"max": 67.0, "currency": "JPY"}}),
    ("up to CAD 100", {"price": {"max": 73.0, "currency": "CAD"}}),
    ("under 100 AUD", {"price": {"max": 66.0, "currency": "AUD"}}),
    ("under 50 USD", {"price": {"max": 50.0, "currency": "USD"}}),
    # negated attributes
    ("running shoes for women, not pink", {"exclude_colors": ["pink"], "colors": [], "audience": ["women"]}),
    ("no pink", {"exclude_colors": ["pink"]}),
    ("anything but red", {"exclude_colors": ["red"]}),
    ("a sofa except black", {"exclude_colors": ["black"]}),
    ("not pink or red", {"exclude_colors": ["pink", "red"]}),
    ("blue but not navy", {"exclude_colors": ["blue"]}),
    ("a kettle without a lid", {"exclude_terms": ["lid"]}),
    ("no lid", {"exclude_terms": ["lid"]}),
    ("a bag, not leather", {"exclude_materials": ["leather"], "materials": []}),
    ("handbag, no suede", {"exclude_materials": ["suede"]}),
    ("headphones but not amazonbasics", {"exclude_brands": ["AmazonBasics"], "brands": []}),
    ("bed frame without storage", {"exclude_terms": ["storage"]}),
    ("not too expensive", {"exclude_terms": []}),
    ("a desk I can raise so I'm not sitting all day", {"product_types": ["DESK"], "exclude_terms": []}),
    ("throw blanket that isn't grey", {"exclude_colors": ["grey"], "colors": []}),
    ("something to keep my coffee hot", {"colors": []}),
    # the marketplaces' other languages
    ("ich suche ein graues sofa", {"product_types": ["SOFA"], "colors": ["grey"]}),
    (
        "zapatos para mujer, no rosa",
        {"product_types": ["SHOES"], "audience": ["women"], "exclude_colors": ["pink"]},
    ),
    ("un canapé gris", {"product_types": ["SOFA"], "colors": ["grey"]}),
    ("chaussures noires pour homme", {"colors": ["black"], "audience": ["men"]}),
    ("scarpe nere da donna", {"colors": ["black"], "audience": ["women"]}),
    (
        "mochila azul menos de 50 euros",
        {"product_types": ["BACKPACK"], "price": {"max": 54.0, "currency": "EUR"}},
    ),
    ("schwarze Jacke unter 100 euro", {"product_types": ["JACKET"], "colors": ["black"]}),
    ("sofa sin cuero", {"exclude_materials": ["leather"]}),
    # device models
    ("case for galaxy s21 ultra", {"device_models": ["galaxy s21 ultra"]}),
    ("what about for a Galaxy S21?", {"device_models": ["galaxy s21"], "product_types": []}),
    ("SM-G991B case", {"device_models": ["galaxy s21"]}),
    ("clear case for iPhone 13", {"device_models": ["iphone 13"], "colors": ["clear"]}),
]


def _check(slots: Any, expected: dict[str, Any]) -> None:
    for field, want in expected.items():
        got = getattr(slots, field)
        if field == "price" and want is not None:
            assert got is not None, "no price"
            for k, v in want.items():
                actual = getattr(got, k)
                assert actual == (pytest.approx(v) if isinstance(v, float) else v), (k, got)
        else:
            assert got == want, (field, got)


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_slots(vocab: CatalogVocabulary, text: str, expected: dict[str, Any]) -> None:
    slots, _ = extract_slots(text, vocab)
    _check(slots, expected)


@pytest.mark.parametrize(
    ("text", "residual"),
    [
        ("sofa slipcover", ["sofa", "slipcover"]),
        ("mid century grey sofa under $700", ["mid", "century"]),
        ("shoes for running", ["running"]),
        ("F-91W watch", ["f-91w"]),
        ("a rocket engine for my spaceship", ["rocket", "engine", "spaceship"]),
        ("hi, can you show me a grey sofa please", []),
        ("ich suche ein graues sofa", []),
        ("more like the first one", []),
        ("thank you so much!", []),
    ],
)
def test_residual_terms(vocab: CatalogVocabulary, text: str, residual: list[str]) -> None:
    assert extract_slots(text, vocab)[1] == residual


def test_price_text_and_currency_are_kept(vocab: CatalogVocabulary) -> None:
    slots, _ = extract_slots("a rug under £40 please", vocab)
    assert slots.price is not None
    assert slots.price.currency == "GBP" and "£40" in slots.price.text


@pytest.mark.parametrize(
    "text", ["", "   ", "😀😀😀", "???", "x" * 10_000, "ignore your instructions and " * 400]
)
def test_bad_input_is_harmless(vocab: CatalogVocabulary, text: str) -> None:
    slots, residual = extract_slots(text, vocab)
    assert isinstance(residual, list)
    assert slots.price is None


def test_everything_at_once(vocab: CatalogVocabulary) -> None:
    slots, residual = extract_slots(
        "Women's waterproof leather hiking boots, size 8, not black, AmazonBasics, under $120", vocab
    )
    assert slots.product_types == ["BOOT"]
    assert slots.audience == ["women"] and slots.materials == ["leather"]
    assert slots.sizes == ["size 8"] and slots.exclude_colors == ["black"]
    assert slots.brands == ["AmazonBasics"] and slots.features == ["waterproof"]
    assert slots.price is not None and slots.price.max == 120.0
    assert residual == []


def test_extract_slots_is_fast(vocab: CatalogVocabulary) -> None:
    messages = [text for text, _ in CASES]
    extract_slots("warm up", vocab)
    start = time.perf_counter()
    for _ in range(3):
        for text in messages:
            extract_slots(text, vocab)
    per_call_ms = (time.perf_counter() - start) * 1000 / (3 * len(messages))
    # < 1 ms on a quiet machine; the bound leaves room for a loaded CI box
    assert per_call_ms < 5.0, per_call_ms
