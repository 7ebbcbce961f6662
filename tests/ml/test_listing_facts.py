"""Listing facts (dimensions, weight, model number/name/year, pattern…) read from ABO records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ml.catalog.facts import parse_dimensions, parse_weight, parse_year
from ml.catalog.product import Product
from ml.catalog.reader import parse_listing, read_catalog

from .conftest import listing, write_listings


def _measure(
    value: object, unit: str, n_value: object = None, n_unit: str | None = None
) -> dict[str, object]:
    entry: dict[str, object] = {"value": value, "unit": unit}
    if n_unit is not None:
        entry["normalized_value"] = {"value": n_value, "unit": n_unit}
    return entry


SOFA_FACTS: dict[str, Any] = {
    "item_dimensions": {
        "height": _measure(83.8, "centimeters", 33.0, "inches"),
        "length": _measure(213.4, "centimeters", 84.0, "inches"),
        "width": _measure(88.9, "centimeters", 35.0, "inches"),
    },
    "item_weight": [_measure(45.4, "kilograms", 100.09, "pounds")],
    "model_number": [{"value": "X26-O22704"}],
    "model_name": [{"language_tag": "en_US", "value": "Monterey"}],
    "model_year": [{"value": 2019}],
    "pattern": [{"language_tag": "en_US", "value": "Solid"}],
    "fabric_type": [{"language_tag": "en_US", "value": "100% Polyester"}],
    "finish_type": [{"language_tag": "en_US", "value": "Matte"}],
    "item_shape": [{"language_tag": "en_US", "value": "Rectangular"}],
}


def test_abo_facts_are_parsed_into_typed_fields() -> None:
    product = parse_listing(listing("B0SOFA0001", "Monterey Sofa", "SOFA", "Rivet", **SOFA_FACTS))
    dims = product.dimensions
    assert dims is not None
    assert (dims.length_in, dims.width_in, dims.height_in) == (84.0, 35.0, 33.0)
    assert dims.unit == "centimeters" and dims.length == 213.4 and dims.height == 83.8
    assert dims.volume_in3 == pytest.approx(84 * 35 * 33)
    assert product.weight is not None and product.weight_lb == pytest.approx(100.09)
    assert (product.weight.value, product.weight.unit) == (45.4, "kilograms")
    assert product.model_number == "X26-O22704"
    assert product.model_name == "Monterey"
    assert product.model_year == 2019
    assert (product.pattern, product.fabric_type, product.finish_type, product.item_shape) == (
        "Solid",
        "100% Polyester",
        "Matte",
        "Rectangular",
    )


def test_listing_without_facts_has_none() -> None:
    product = parse_listing(listing("B0PLAIN001", "Plain Mug", "DRINKING_CUP"))
    assert product.dimensions is None and product.weight is None and product.weight_lb is None
    assert product.model_number is None and product.model_year is None and product.pattern is None


def test_units_are_converted_when_not_normalised_to_inches_or_pounds() -> None:
    dims = parse_dimensions(
        {
            "length": _measure(160, "centimeters"),
            "width": _measure(230, "cm"),
            "height": _measure(10, "millimeters", 1.0, "centimeters"),  # normalised in cm
        }
    )
    assert dims is not None
    assert dims.length_in == pytest.approx(62.99, abs=0.01)
    assert dims.width_in == pytest.approx(90.55, abs=0.01)
    assert dims.height_in == pytest.approx(0.39, abs=0.01)
    assert dims.unit is None  # sides were listed in mixed units, so no single listed unit
    weight = parse_weight([_measure(15, "kg", 15000, "g")])
    assert weight is not None and weight.pounds == pytest.approx(33.07, abs=0.01)
    ounces, oz = parse_weight(_measure(12, "ounces")), parse_weight([_measure(12, "oz")])
    assert ounces is not None and oz is not None
    assert ounces.pounds == oz.pounds == pytest.approx(0.75) and ounces.unit == "ounces"


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "84 x 35 x 33",
        [],
        {"length": "long"},
        {"length": _measure("abc", "inches")},
        {"length": _measure(-3, "inches")},
        {"length": _measure(0, "inches")},
        {"length": _measure(5, "parsecs")},
        {"length": _measure(float("nan"), "inches")},
        {"length": _measure(1e9, "inches")},
        {"length": _measure(True, "inches")},
    ],
)
def test_malformed_dimensions_are_dropped(raw: object) -> None:
    assert parse_dimensions(raw) is None


def test_partial_dimensions_keep_the_good_sides() -> None:
    dims = parse_dimensions({"length": _measure(12, "inches"), "width": _measure("x", "inches")})
    assert dims is not None and dims.length_in == 12 and dims.width_in is None
    assert dims.volume_in3 is None and dims.sides_in() == [12]


@pytest.mark.parametrize(
    "raw", [None, "2 lb", [], [{"value": "heavy", "unit": "pounds"}], [_measure(3, "stone")]]
)
def test_malformed_weight_is_dropped(raw: object) -> None:
    assert parse_weight(raw) is None


def test_first_usable_weight_entry_wins() -> None:
    weight = parse_weight([_measure("?", "pounds"), _measure(2, "pounds")])
    assert weight is not None and weight.pounds == 2


def test_model_year_must_be_plausible() -> None:
    assert parse_year([{"value": 2021}]) == 2021
    assert parse_year([{"value": "2018"}]) == 2018
    assert parse_year([{"value": 42}]) is None
    assert parse_year([{"value": "soon"}]) is None
    assert parse_year("nope") is None


def test_malformed_facts_never_reject_the_listing(tmp_path: Path) -> None:
    bad = listing(
        "B0BAD00001",
        "Odd Lamp",
        "LAMP",
        item_dimensions=[1, 2, 3],
        item_weight={"value": {"nested": 1}},
        model_number=[{"value": None}, 7],
        model_name="Nova",  # a bare string
        model_year=[{"value": [2020]}],
        pattern=[{"language_tag": "en_US", "value": 3}],
        fabric_type=42,
    )
    good = listing("B0SOFA0001", "Monterey Sofa", "SOFA", **SOFA_FACTS)
    catalog = read_catalog(write_listings(tmp_path / "listings_0.json.gz", [bad, good]))
    assert catalog.report.skipped == []
    by_id = {p.item_id: p for p in catalog.products}
    odd = by_id["B0BAD00001"]
    assert odd.dimensions is None and odd.weight is None and odd.model_year is None
    assert odd.pattern is None and odd.fabric_type is None
    assert odd.model_number == "7" and odd.model_name == "Nova"
    assert by_id["B0SOFA0001"].dimensions is not None


def test_facts_survive_the_index_round_trip() -> None:
    product = parse_listing(listing("B0SOFA0001", "Monterey Sofa", "SOFA", **SOFA_FACTS))
    again = Product.model_validate_json(product.model_dump_json())
    assert again == product and again.weight_lb == product.weight_lb
    # documents stored before these fields existed still load
    legacy = Product.model_validate({"item_id": "B0OLD00001", "title": "Old"})
    assert legacy.dimensions is None and legacy.weight is None


def test_foreign_language_fact_is_kept_as_written() -> None:
    row = listing(
        "B0DE000001",
        "Teppich",
        "RUG",
        tag="de_DE",
        pattern=[{"language_tag": "de_DE", "value": "Gestreift"}],
    )
    product = parse_listing(row)
    assert product.pattern == "Gestreift"
    assert "pattern" not in product.non_english_fields  # only descriptive text fields are flagged


def test_sample_catalog_carries_facts() -> None:
    sample = Path(__file__).resolve().parents[2] / "ml" / "sample" / "abo"
    products = read_catalog(sample, limit=200).products
    with_dims = [p for p in products if p.dimensions is not None and p.dimensions.volume_in3]
    with_weight = [p for p in products if p.weight_lb]
    assert len(with_dims) > 150 and len(with_weight) > 150
    assert sum(1 for p in products if p.model_number) > 150


def test_model_number_and_name_are_keyword_searchable(tmp_path: Path) -> None:
    from ml.retrieval.tantivy_index import TantivyKeywordIndex

    sofa = parse_listing(listing("B0SOFA0001", "Three-seat Sofa", "SOFA", "Rivet", **SOFA_FACTS))
    other = parse_listing(listing("B0SOFA0002", "Two-seat Sofa", "SOFA", "Rivet"))
    index = TantivyKeywordIndex(tmp_path / "kw")
    index.upsert([other, sofa])
    assert [h.item_id for h in index.search("X26-O22704", k=5)][:1] == ["B0SOFA0001"]
    assert [h.item_id for h in index.search("monterey", k=5)][:1] == ["B0SOFA0001"]
