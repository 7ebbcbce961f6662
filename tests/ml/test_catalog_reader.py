from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from ml.catalog.english import pick_language
from ml.catalog.pricing import PRICE_RANGES, synthetic_price
from ml.catalog.product import Product
from ml.catalog.reader import ABO_LISTING_SHARDS, parse_listing, read_catalog, resolve_sources

from .conftest import SMALL_CATALOG, listing, write_listings


def test_english_preference_order() -> None:
    entries = [
        {"language_tag": "de_DE", "value": "Stiefel"},
        {"language_tag": "en_GB", "value": "Boots (UK)"},
        {"language_tag": "en_US", "value": "Boots"},
    ]
    assert pick_language(entries).values == ["Boots"]
    assert pick_language(entries[:2]).values == ["Boots (UK)"]
    foreign = pick_language(entries[:1])
    assert foreign.values == ["Stiefel"] and not foreign.is_english


def test_parse_listing_flattens_abo_fields() -> None:
    row = listing(
        "B01",
        "Waterproof Boot",
        "boot",
        "Trail",
        colors=["dark brown"],
        bullets=["One", "Two"],
        main_image_id="81abc",
        item_keywords=[{"language_tag": "en_US", "value": "hiking, trail; outdoor"}],
        material=[{"language_tag": "en_US", "value": "Leather"}],
    )
    product = parse_listing(row, images={"81abc": "81/81abc.jpg"})
    assert product.product_type == "BOOT"
    assert product.brand == "Trail"
    assert product.colors == ["dark brown"]
    assert product.bullets == ["One", "Two"]
    assert product.keywords == ["hiking", "trail", "outdoor"]
    assert product.material == "Leather"
    assert product.node_path == "/Categories/Boot"
    assert product.image_path == "81/81abc.jpg"
    assert product.price_is_synthetic and product.price > 0
    assert product.non_english_fields == []


def test_missing_brand_and_foreign_name_are_kept_and_flagged() -> None:
    product = parse_listing(listing("B02", "Coque pour iPhone", "CELLULAR_PHONE_CASE", None, tag="fr_FR"))
    assert product.brand is None
    assert product.title == "Coque pour iPhone"
    assert product.language == "fr_FR"
    assert "item_name" in product.non_english_fields


def test_synthetic_prices_are_deterministic_and_in_range() -> None:
    low, high = PRICE_RANGES["SOFA"]
    prices = [synthetic_price(f"ID{i}", "SOFA") for i in range(200)]
    assert prices == [synthetic_price(f"ID{i}", "SOFA") for i in range(200)]
    assert all(low <= p <= high + 1 for p in prices)
    assert len(set(prices)) > 100
    assert synthetic_price("X", "SOFA") != synthetic_price("X", "CELLULAR_PHONE_CASE")


def test_read_catalog_dedupes_across_domains(small_catalog: Path) -> None:
    catalog = read_catalog(small_catalog)
    ids = [p.item_id for p in catalog.products]
    assert len(ids) == len(set(ids)) == len(SMALL_CATALOG)
    boot = next(p for p in catalog.products if p.item_id == "B0BOOT0001")
    assert boot.domains == ["amazon.com", "amazon.co.uk"]
    assert catalog.report.duplicates == 1
    assert catalog.report.non_english == 1


def test_english_record_wins_dedupe(tmp_path: Path) -> None:
    path = write_listings(
        tmp_path / "l.json.gz",
        [
            listing("B1", "Étui en cuir", tag="fr_FR", domain="amazon.fr"),
            listing("B1", "Leather case", tag="en_GB"),
        ],
    )
    (product,) = read_catalog(path).products
    assert product.title == "Leather case"
    assert product.domains == ["amazon.fr", "amazon.com"]


def test_malformed_lines_are_reported_with_line_numbers(tmp_path: Path) -> None:
    good = listing("B1", "Good boot")
    rows: list[dict | str] = [
        good,
        "{not json",
        json.dumps({"item_name": [{"language_tag": "en_US", "value": "no id"}]}),
        json.dumps({"item_id": "B2", "item_name": "a plain string", "brand": 5}),
        "",
        json.dumps(["a", "list"]),
        json.dumps({"item_id": "B3", "item_name": []}),
        listing("B4", "Another good one"),
    ]
    catalog = read_catalog(write_listings(tmp_path / "bad.json.gz", rows))
    assert sorted(p.item_id for p in catalog.products) == ["B1", "B4"]
    by_line = {s.line: s.reason for s in catalog.report.skipped}
    assert by_line == {
        2: "invalid-json",
        3: "missing-item-id",
        4: "wrong-type",
        5: "blank-line",
        6: "not-an-object",
        7: "missing-item-name",
    }
    assert catalog.report.lines_read == 8


def test_truncated_gzip_keeps_lines_before_the_cut(tmp_path: Path) -> None:
    path = write_listings(
        tmp_path / "t.json.gz", [listing(f"B{i}", f"Item {i} " + "x" * 400) for i in range(200)]
    )
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    catalog = read_catalog(path)
    assert 0 < len(catalog.products) < 200
    assert catalog.report.skipped[-1].reason == "truncated-gzip"
    assert catalog.report.skipped[-1].line == catalog.report.lines_read + 1


def test_reads_flat_folder_and_plain_jsonl(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps(listing("B1", "One")) + "\n", encoding="utf-8")
    write_listings(tmp_path / "b.json.gz", [listing("B2", "Two")])
    assert sorted(p.item_id for p in read_catalog(tmp_path).products) == ["B1", "B2"]


def test_images_csv_maps_main_image(tmp_path: Path) -> None:
    root = tmp_path / "abo"
    write_listings(
        root / "listings/metadata/listings_0.json.gz", [listing("B1", "Lamp", main_image_id="img1")]
    )
    (root / "images/metadata").mkdir(parents=True)
    with gzip.open(root / "images/metadata/images.csv.gz", "wt") as handle:
        handle.write("image_id,height,width,path\nimg1,100,100,ab/img1.jpg\n")
    (product,) = read_catalog(root).products
    assert product.image_path == "ab/img1.jpg"


def test_listing_without_main_image_shows_its_first_known_other_view() -> None:
    images = {"img2": "ab/img2.jpg", "img3": "ab/img3.jpg", "main": "ab/main.jpg"}
    no_main = listing("B1", "Lamp")
    no_main["other_image_id"] = ["gone", "img2", "img3"]
    assert parse_listing(no_main, images=images).image_path == "ab/img2.jpg"
    both = {**no_main, "main_image_id": "main"}
    assert parse_listing(both, images=images).image_path == "ab/main.jpg"  # the main image wins
    bad = {**listing("B2", "Lamp"), "other_image_id": "img2"}  # not a list: ignored, no image
    assert parse_listing(bad, images=images).image_path is None
    assert parse_listing(listing("B3", "Lamp"), images=images).image_path is None


def test_listing_keeps_every_known_picture_main_first() -> None:
    images = {"main": "ab/main.jpg", "side": "ab/side.jpg", "back": "ab/back.jpg"}
    obj = {**listing("B1", "Lamp", main_image_id="main"), "other_image_id": ["side", "gone", "back", "main"]}
    product = parse_listing(obj, images=images)
    assert product.image_paths == ["ab/main.jpg", "ab/side.jpg", "ab/back.jpg"]  # unknown "gone" dropped
    assert product.image_path == "ab/main.jpg" and product.gallery == product.image_paths
    assert Product.model_validate_json(product.model_dump_json()).image_paths == product.image_paths
    stored_before = json.loads(product.model_dump_json())  # a doc stored by an older index: no image_paths
    del stored_before["image_paths"]
    old = Product.model_validate(stored_before)
    assert old.image_paths == [] and old.gallery == ["ab/main.jpg"]
    assert parse_listing(listing("B2", "Lamp"), images=images).gallery == []


def test_limit_counts_unique_products(small_catalog: Path) -> None:
    assert len(read_catalog(small_catalog, limit=3).products) == 3


def test_s3_sources_resolve_to_all_shards_without_network() -> None:
    sources, images = resolve_sources("s3://amazon-berkeley-objects")
    assert len(sources) == 16 == len(ABO_LISTING_SHARDS)
    assert sources[0] == "s3://amazon-berkeley-objects/listings/metadata/listings_0.json.gz"
    assert images == "s3://amazon-berkeley-objects/images/metadata/images.csv.gz"


def test_missing_catalog_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="catalog not found"):
        read_catalog(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="no listing files"):
        read_catalog(tmp_path)
