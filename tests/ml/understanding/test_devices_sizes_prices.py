"""Device models (exact), sizes and price phrases on their own."""

from __future__ import annotations

import pytest

from ml.understanding.devices import compatible, device_models
from ml.understanding.prices import USD_PER_UNIT, find_prices, merge_prices, parse_number
from ml.understanding.sizes import find_capacity, find_sizes, size_matches
from ml.understanding.vocab import normalize

DEVICES = [
    ("iPhone 13", ["iphone 13"]),
    ("iphone 13 mini", ["iphone 13 mini"]),
    ("iPhone 13 Pro", ["iphone 13 pro"]),
    ("iphone 13 pro max", ["iphone 13 pro max"]),
    ("iphone13pro", ["iphone 13 pro"]),
    ("iphone 14 plus", ["iphone 14 plus"]),
    ("iphone se 2022", ["iphone se 2022"]),
    ("iphone se (3rd generation)", ["iphone se 2022"]),
    ("iphone xs max", ["iphone xs max"]),
    ("Galaxy S21", ["galaxy s21"]),
    ("galaxy s21+", ["galaxy s21+"]),
    ("s21 plus", ["galaxy s21+"]),
    ("samsung galaxy s21 ultra 5g", ["galaxy s21 ultra"]),
    ("Galaxy S21 FE", ["galaxy s21 fe"]),
    ("SM-G991B", ["galaxy s21"]),
    ("sm-g996", ["galaxy s21+"]),
    ("SM-G998B/DS", ["galaxy s21 ultra"]),
    ("galaxy note 20 ultra", ["galaxy note 20 ultra"]),
    ("galaxy a12", ["galaxy a12"]),
    ("galaxy z flip 4", ["galaxy z flip 4"]),
    ("pixel 7", ["pixel 7"]),
    ("Pixel 7 Pro", ["pixel 7 pro"]),
    ("pixel 7a", ["pixel 7a"]),
    ("redmi note 9", ["redmi note 9"]),
    ("redmi note 9 pro", ["redmi note 9 pro"]),
    ("redmi 9a", ["redmi 9a"]),
    ("oneplus nord", ["oneplus nord"]),
    ("OnePlus Nord 2", ["oneplus nord 2"]),
    ("nord ce 2", ["oneplus nord ce 2"]),
    ("oneplus 9 pro", ["oneplus 9 pro"]),
    ("moto g power (2021)", ["moto g power 2021"]),
    ("vivo y20", ["vivo y20"]),
    ("iphone 12 or 13 pro", ["iphone 12", "iphone 13 pro"]),
    ("galaxy s21 and s22 ultra", ["galaxy s21", "galaxy s22 ultra"]),
    ("Flip Folio Case for OnePlus Nord 6.44 inch", ["oneplus nord"]),
    ("Case for iPhone 12 6.1 inch", ["iphone 12"]),
    ("a grey sofa", []),
    ("iphone series", []),
]


@pytest.mark.parametrize(("text", "models"), DEVICES, ids=[d[0] for d in DEVICES])
def test_device_models(text: str, models: list[str]) -> None:
    assert device_models(normalize(text)) == models


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("iphone 13", "iphone 13 mini"),
        ("iphone 13", "iphone 13 pro"),
        ("iphone 13 pro", "iphone 13 pro max"),
        ("galaxy s21", "galaxy s21+"),
        ("galaxy s21", "galaxy s21 ultra"),
        ("galaxy s21", "galaxy s21 fe"),
        ("pixel 7", "pixel 7 pro"),
        ("pixel 7", "pixel 7a"),
        ("redmi note 9", "redmi note 9 pro"),
        ("oneplus nord", "oneplus nord 2"),
    ],
)
def test_models_are_not_compatible_with_their_siblings(a: str, b: str) -> None:
    assert not compatible(a, device_models(normalize(f"case for {b}")))
    assert not compatible(b, device_models(normalize(f"case for {a}")))
    assert compatible(a, device_models(normalize(f"Clear Case for {a.title()}")))


def test_year_less_model_fits_any_year() -> None:
    assert compatible("moto g power", ["moto g power 2021"])
    assert not compatible("moto g power 2022", ["moto g power 2021"])


@pytest.mark.parametrize(
    ("text", "sizes"),
    [
        ("5x8", ["5x8"]),
        ("5'x8'", ["5x8 ft"]),
        ("3' x 5'", ["3x5 ft"]),
        ("160 x 230 cm", ["160x230 cm"]),
        ("17 inch", ["17 inch"]),
        ('17"', ["17 inch"]),
        ("17-inch", ["17 inch"]),
        ("15.6 inch", ["15.6 inch"]),
        ("38mm", ["38 mm"]),
        ("60l", ["60 l"]),
        ("queen", ["queen"]),
        ("king size", ["king"]),
        ("twin xl", ["twin xl"]),
        ("full size", ["full"]),
        ("full grain", []),
        ("XL", ["xl"]),
        ("size m", ["m"]),
        ("in a size small", ["s"]),
        ("shoe size 9", ["size 9"]),
        ("size 7.5 wide", ["size 7.5 wide"]),
        ("uk 8", ["uk 8"]),
        ("10 in black", []),
    ],
)
def test_sizes(text: str, sizes: list[str]) -> None:
    assert [s.size for s in find_sizes(normalize(text))] == sizes


def test_size_matches() -> None:
    assert size_matches("5x8", "5x8 ft") and size_matches("5x8", "8x5 ft")
    assert not size_matches("5x8 ft", "8x10 ft") and not size_matches("queen", "king")


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("a tent for a family of four", 4),
        ("4 person tent", 4),
        ("4-person", 4),
        ("for 6 people", 6),
        ("two-person tent", 2),
        ("3-seater sofa", 3),
        ("seats 5", 5),
        ("sleeps 4", 4),
        ("a sofa for two", 2),
        ("2-man tent", 2),
        ("the first two", None),
        ("under 50 dollars", None),
    ],
)
def test_capacity(text: str, people: int | None) -> None:
    found = find_capacity(normalize(text))
    assert (found[2] if found else None) == people


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,200", 1200),
        ("1.5k", 1500),
        ("twenty", 20),
        ("twenty-five", 25),
        ("a hundred", 100),
        ("two hundred and fifty", 250),
        ("fifteen hundred", 1500),
        ("a couple hundred", 200),
        ("three thousand", 3000),
        ("banana", None),
    ],
)
def test_parse_number(text: str, value: float | None) -> None:
    assert parse_number(text) == value


def test_conversion_table_is_documented_and_applied() -> None:
    assert USD_PER_UNIT["USD"] == 1.0 and set(USD_PER_UNIT) >= {"GBP", "EUR", "INR", "JPY", "CAD", "AUD"}
    slot = merge_prices(find_prices(normalize("under £100")))
    assert slot is not None and slot.max == pytest.approx(100 * USD_PER_UNIT["GBP"])


@pytest.mark.parametrize(
    "text", ["a lid under a table", "around 3 feet", "over 4 people", "about 5 kg", "5-8 rug"]
)
def test_not_prices(text: str) -> None:
    assert merge_prices(find_prices(normalize(text))) is None
