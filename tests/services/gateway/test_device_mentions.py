"""Device models named by listing text, exactly (iPhone 13 ≠ 13 mini ≠ 13 Pro; S21 ≠ S21+ ≠ S21 Ultra)."""

from __future__ import annotations

import pytest

from services.gateway.device_mentions import (
    bare_models,
    find_devices,
    parse_device,
    phrase_mention,
    phrase_named,
)


def named(text: str) -> list[str]:
    return [d.display for d in find_devices(text).named]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Case for iPhone 13 Pro Max 6.7 inch", ["iPhone 13 Pro Max"]),
        ("iPhone 13/13 Pro Case", ["iPhone 13", "iPhone 13 Pro"]),
        ("Compatible with iPhone 12 & 12 Pro", ["iPhone 12", "iPhone 12 Pro"]),
        ("iPhone 13 Pro/Pro Max", ["iPhone 13 Pro", "iPhone 13 Pro Max"]),
        ("iPhone 11, 12 and 13", ["iPhone 11", "iPhone 12", "iPhone 13"]),
        ("iPhone 13 mini", ["iPhone 13 mini"]),
        ("Fits iPhone 14 Plus and Galaxy S22 Ultra", ["iPhone 14 Plus", "Galaxy S22 Ultra"]),
        ("Case for iPhone 13, 6.1 inch, 2 Pack", ["iPhone 13"]),
        ("iPhone 13 Promo bundle", ["iPhone 13"]),
        ("Samsung Galaxy S21+ case", ["Galaxy S21+"]),
        ("Galaxy S21 Ultra 5G", ["Galaxy S21 Ultra"]),
        ("Galaxy S21/S21+", ["Galaxy S21", "Galaxy S21+"]),
        ("Galaxy S21 FE", ["Galaxy S21 FE"]),
        ("Samsung Galaxy A53 5G", ["Galaxy A53"]),
        ("for SM-G991B", ["Galaxy S21"]),
        ("Google Pixel 7a 6.1 inch", ["Pixel 7a"]),
        ("Pixel 7 Pro", ["Pixel 7 Pro"]),
        ("A sofa with three seats", []),
    ],
)
def test_models_named(text: str, expected: list[str]) -> None:
    assert named(text) == expected


def test_ruled_out_models_are_separate() -> None:
    mentions = find_devices("Fits iPhone 13 mini only; not compatible with iPhone 13 Pro")
    assert [d.display for d in mentions.named] == ["iPhone 13 mini"]
    assert [d.display for d in mentions.excluded] == ["iPhone 13 Pro"]


def test_canonical_slot_strings_parse_to_the_same_device() -> None:
    assert parse_device("iphone 13 pro") == parse_device("Apple iPhone 13 Pro case")
    assert parse_device("galaxy s21 plus") == parse_device("Galaxy S21+")
    assert parse_device("SM-G998B") == parse_device("galaxy s21 ultra")
    assert parse_device("iphone 13") != parse_device("iphone 13 mini")
    assert parse_device("a sofa") is None


def test_bare_models_read_in_the_listing_line() -> None:
    assert [d.display for d in bare_models("does it fit the 13 Pro?", "iphone")] == ["iPhone 13 Pro"]
    assert [d.display for d in bare_models("and the S21 Ultra?", "galaxy")] == ["Galaxy S21 Ultra"]
    assert bare_models("is it 6.1 inch?", "iphone") == []
    assert bare_models("the 13 pro", "moto") == []


def test_unknown_lines_match_as_exact_phrases() -> None:
    assert phrase_named("vivo y20", "Back Cover for Vivo Y20 (Black)") is True
    assert phrase_named("vivo y20", "Back Cover for Vivo Y20s") is False
    assert phrase_named("oneplus 9", "OnePlus 9 Pro Case") is False
    assert phrase_named("oneplus 9", "A sofa") is None


def test_phrase_mention_reports_the_variant_as_written() -> None:
    assert phrase_mention("oneplus 9", "OnePlus 9 Pro Case") == (False, "OnePlus 9 Pro")
    assert phrase_mention("oneplus 9", "OnePlus 9 Crystal Clear Case") == (True, "OnePlus 9")
    assert phrase_mention("vivo y20", "Vivo Y20s cover") == (False, "Vivo Y20s")
    assert phrase_mention("redmi note 10", "Redmi Note 10 Pro Max case") == (False, "Redmi Note 10 Pro Max")
    assert phrase_mention("redmi note 10", "a sofa") == (None, None)
