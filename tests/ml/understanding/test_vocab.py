"""The vocabulary is learned from the catalog it is given, not hard-coded."""

from __future__ import annotations

from pathlib import Path

from ml.understanding.slots import extract_slots
from ml.understanding.vocab import CatalogVocabulary, norm_key, singular


def test_sample_type_terms(vocab: CatalogVocabulary) -> None:
    assert vocab.types_for("sofa") == ["SOFA"]
    assert vocab.types_for("couch") == ["SOFA"]  # node path "Sofas & Couches", keyword "couch"
    assert vocab.types_for("floor lamp") == ["LAMP"]
    assert vocab.types_for("phone case") == ["CELLULAR_PHONE_CASE"]
    assert vocab.types_for("tent") == []  # the sample sells no tents
    assert vocab.types_for("slipcover") == []
    assert vocab.types_for("waterproof") == []  # a feature, not a thing
    assert set(vocab.types_for("footwear")) == {"SHOES", "BOOT", "SANDAL"}
    assert vocab.type_name("CELLULAR_PHONE_CASE") == "phone case"
    assert vocab.type_name("BED_FRAME") == "bed frame"


def test_sample_brands_colours_materials(vocab: CatalogVocabulary) -> None:
    assert vocab.brands_for_key(norm_key("amazon basics")) == ["AmazonBasics"]
    assert set(vocab.brand_variants("AmazonBasics")) == {"AmazonBasics", "Amazon Basics"}
    assert "Amazon Brand - Solimo" in vocab.brands_for_key("solimo")
    assert vocab.fuzzy_brand(norm_key("walker edisson")) == ["Walker Edison"]
    assert vocab.color("oatmeal") == "beige"  # the catalog's own colour wording
    assert vocab.color("midnight black") == "black"
    assert "leather" in vocab.materials and vocab.materials["faux leather"] == "faux leather"
    assert "find" in vocab.ambiguous_brand_keys  # "Find." is a brand and an everyday word


def test_hand_built_catalog_learns_its_own_types(hand_vocab: CatalogVocabulary) -> None:
    assert vocab_types(hand_vocab) == {"TENT", "SLIPCOVER", "KETTLE"}
    assert hand_vocab.types_for("tent") == ["TENT"]
    assert hand_vocab.types_for("slipcover") == ["SLIPCOVER"]
    assert hand_vocab.types_for("kettle") == ["KETTLE"]
    assert hand_vocab.types_for("sofa") == []
    slots, residual = extract_slots("sofa slipcover in taupe", hand_vocab)
    assert slots.product_types == ["SLIPCOVER"] and slots.colors == ["beige"] and residual == ["sofa"]
    slots, _ = extract_slots("a tent for a family of four", hand_vocab)
    assert slots.product_types == ["TENT"] and slots.capacity == 4
    slots, _ = extract_slots("coverco slipcover", hand_vocab)
    assert slots.brands == ["CoverCo"]
    # the sample's types mean nothing here
    assert extract_slots("grey sofa", hand_vocab)[0].product_types == []
    assert extract_slots("phone case", hand_vocab)[0].product_types == []


def vocab_types(v: CatalogVocabulary) -> set[str]:
    return set(v.types)


def test_save_load_round_trip(vocab: CatalogVocabulary, tmp_path: Path) -> None:
    path = vocab.save(tmp_path / "vocab.json")
    loaded = CatalogVocabulary.load(path)
    assert loaded.type_terms == vocab.type_terms
    assert loaded.brands == vocab.brands
    for text in ("amazon basics backpack not pink under $40", "grau sofa", "walker edisson desk", "sofaa"):
        assert extract_slots(text, loaded) == extract_slots(text, vocab)


def test_empty_catalog_still_extracts_generic_slots() -> None:
    empty = CatalogVocabulary.from_products([])
    slots, residual = extract_slots("navy sofa under $700 for iphone 13", empty)
    assert slots.colors == ["blue"] and slots.device_models == ["iphone 13"]
    assert slots.price is not None and slots.price.max == 700.0
    assert slots.product_types == [] and "sofa" in residual


def test_singular() -> None:
    assert [singular(w) for w in ("shoes", "couches", "accessories", "glasses", "lamps", "boxes")] == [
        "shoe",
        "couch",
        "accessory",
        "glasses",
        "lamp",
        "box",
    ]
