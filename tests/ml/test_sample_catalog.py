"""The committed sample ABO catalog and golden set: reproducible, in the real ABO layout, big enough."""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import re
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageStat

from ml.sample import generate
from ml.sample.catalog import Force, fill, make_product
from ml.sample.golden import QUERIES, QuerySpec

SAMPLE = Path(generate.__file__).resolve().parent
ABO = SAMPLE / "abo"
GOLDEN = SAMPLE / "golden"
LISTINGS = sorted((ABO / "listings" / "metadata").glob("listings_*.json.gz"))


def _lines(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return [r for path in LISTINGS for r in _lines(path)]


@pytest.fixture(scope="module")
def by_id(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        out[r["item_id"]].append(r)
    return out


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    root = tmp_path_factory.mktemp("sample")
    started = time.perf_counter()
    assert generate.main(["--out", str(root / "abo"), "--seed", str(generate.DEFAULT_SEED)]) == 0
    return root, time.perf_counter() - started


# --- reproducibility ----------------------------------------------------------------------------------
def test_regenerating_with_the_same_seed_reproduces_the_committed_files(
    regenerated: tuple[Path, float],
) -> None:
    root, _ = regenerated
    committed = sorted(p.relative_to(SAMPLE) for p in SAMPLE.rglob("*") if p.is_file() and _is_data(p))
    fresh = sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())
    assert committed == fresh
    for rel in committed:
        if rel.suffix == ".jpg":
            with Image.open(SAMPLE / rel) as a, Image.open(root / rel) as b:
                # Pixel-identical with the same Pillow; a different libjpeg may round differently.
                diff = ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean
                assert max(diff) < 2.0, rel
        else:
            assert (SAMPLE / rel).read_bytes() == (root / rel).read_bytes(), f"{rel} differs: regenerate it"


def _is_data(path: Path) -> bool:
    if path.relative_to(SAMPLE).parts[0] in {"dialogues", "sessions"}:  # not from this generator
        return False
    return path.suffix in {".gz", ".jpg", ".jsonl"} or path.name == "stats.json"


def test_generator_is_fast(regenerated: tuple[Path, float]) -> None:
    _, seconds = regenerated
    assert seconds < 10


def test_another_seed_gives_another_catalog() -> None:
    a = generate.build(generate.DEFAULT_SEED)
    b = generate.build(generate.DEFAULT_SEED + 1)
    assert {p.item_id for p in a.products}.isdisjoint({p.item_id for p in b.products})
    assert [p.title for p in a.products[:50]] != [p.title for p in b.products[:50]]


# --- catalog size, skew and messiness -----------------------------------------------------------------
def test_counts_and_type_skew(records: list[dict[str, Any]], by_id: dict[str, list[dict[str, Any]]]) -> None:
    assert len(records) >= 2200
    assert len(by_id) >= 2000
    types = Counter(rs[0]["product_type"][0]["value"] for rs in by_id.values())
    assert len(types) >= 15
    share = types["CELLULAR_PHONE_CASE"] / len(by_id)
    assert 0.35 <= share <= 0.55
    assert types.most_common(1)[0][0] == "CELLULAR_PHONE_CASE"
    assert min(types.values()) >= 20


def test_real_abo_field_layout(records: list[dict[str, Any]]) -> None:
    for r in records:
        assert re.fullmatch(r"B0[A-Z0-9]{8}", r["item_id"])
        assert r["marketplace"] == "Amazon" and r["domain_name"].startswith("amazon.")
        assert r["product_type"] == [{"value": r["product_type"][0]["value"]}]
        assert all(set(x) == {"language_tag", "value"} for x in r["item_name"])
        for key in ("bullet_point", "item_keywords", "brand", "material", "style", "model_name"):
            assert all(set(x) == {"language_tag", "value"} for x in r.get(key, []))
        for color in r.get("color", []):
            assert (
                set(color) == {"language_tag", "value", "standardized_values"}
                and color["standardized_values"]
            )
        assert set(r["model_number"][0]) == {"value"}
        weight = r["item_weight"][0]
        assert weight["normalized_value"]["unit"] == "pounds" and weight["value"] > 0
        assert set(r["item_dimensions"]) == {"height", "length", "width"}
        assert isinstance(r["node"][0]["node_id"], int) and r["node"][0]["node_name"].startswith(
            "/Categories/"
        )
        assert "price" not in r
        if "main_image_id" in r:
            assert re.fullmatch(r"[4-8]1[A-Za-z0-9]{8}L", r["main_image_id"])


def test_duplicates_repeat_an_item_on_another_marketplace(by_id: dict[str, list[dict[str, Any]]]) -> None:
    dups = {iid: rs for iid, rs in by_id.items() if len(rs) > 1}
    assert 0.03 * len(by_id) <= len(dups) <= 0.08 * len(by_id)
    for rs in dups.values():
        assert len({r["domain_name"] for r in rs}) == len(rs)
        assert len({r["product_type"][0]["value"] for r in rs}) == 1


def test_languages_are_mixed(by_id: dict[str, list[dict[str, Any]]]) -> None:
    firsts = [rs[0] for rs in by_id.values()]
    no_english = [r for r in firsts if not any(x["language_tag"].startswith("en_") for x in r["item_name"])]
    assert 0.03 * len(firsts) <= len(no_english) <= 0.08 * len(firsts)
    assert {x["language_tag"] for r in no_english for x in r["item_name"]} >= {
        "de_DE",
        "fr_FR",
        "es_ES",
        "ja_JP",
    }
    assert any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", r["item_name"][0]["value"]) for r in no_english)
    multi = [r for r in firsts if len({x["language_tag"] for x in r["item_name"]}) > 1]
    assert len(multi) >= 20
    tags = Counter(r["item_name"][0]["language_tag"] for r in firsts)
    assert tags["en_US"] > len(firsts) / 2
    assert all(tags[t] > 0 for t in ("en_GB", "en_IN", "en_AU"))


def test_missing_brands_and_images(by_id: dict[str, list[dict[str, Any]]]) -> None:
    firsts = [rs[0] for rs in by_id.values()]
    missing_brand = sum(1 for r in firsts if "brand" not in r)
    assert 0.05 * len(firsts) <= missing_brand <= 0.12 * len(firsts)
    assert 1 <= sum(1 for r in firsts if "main_image_id" not in r) <= 0.03 * len(firsts)


def test_titles_are_diverse_and_clean(by_id: dict[str, list[dict[str, Any]]]) -> None:
    titles = [x["value"] for rs in by_id.values() for x in rs[0]["item_name"][:1]]
    assert len(set(titles)) / len(titles) > 0.95
    for t in titles:
        assert t == t.strip() and "  " not in t, t
        assert not re.search(r"(^with |^by | by$| with$|,,|\( *\))", t), t
    brands = Counter(r[0]["brand"][0]["value"] for r in by_id.values() if "brand" in r[0])
    assert len(brands) >= 80


def test_catalog_has_waterproof_hiking_boots(by_id: dict[str, list[dict[str, Any]]]) -> None:
    def text(r: dict[str, Any]) -> str:
        return " ".join(x["value"] for k in ("item_name", "bullet_point") for x in r.get(k, [])).lower()

    hits = [
        rs[0]
        for rs in by_id.values()
        if rs[0]["product_type"][0]["value"] in {"BOOT", "SHOES"}
        and "waterproof" in text(rs[0])
        and re.search(r"hiking boot|trekking boot|hiking shoe", text(rs[0]))
    ]
    assert len(hits) >= 5


def test_attribute_words_appear_in_text(by_id: dict[str, list[dict[str, Any]]]) -> None:
    blob = " ".join(
        x["value"].lower()
        for rs in by_id.values()
        for k in ("item_name", "bullet_point")
        for x in rs[0].get(k, [])
    )
    for word in (
        "waterproof",
        "leather",
        "memory foam",
        "noise cancel",
        "stainless steel",
        "vegan",
        "organic",
        "gluten-free",
        "shockproof",
        "wallet",
        "clear",
        "magsafe",
    ):
        assert word in blob, word


# --- golden set ---------------------------------------------------------------------------------------
def test_golden_queries_and_qrels(by_id: dict[str, list[dict[str, Any]]]) -> None:
    queries = _jsonl(GOLDEN / "queries.jsonl")
    qrels = _jsonl(GOLDEN / "qrels.jsonl")
    assert len(queries) >= 60
    assert all(set(q) == {"query_id", "query", "kind"} for q in queries)
    kinds = Counter(q["kind"] for q in queries)
    assert set(kinds) <= {"keyword", "question", "attribute", "brand", "typo", "paraphrase", "identifier"}
    assert kinds["keyword"] and kinds["paraphrase"] and kinds["question"] and kinds["typo"], kinds
    ids = [q["query_id"] for q in queries]
    assert len(set(ids)) == len(ids)
    assert len({q["query"] for q in queries}) == len(queries)
    assert all(set(r) == {"query_id", "item_id", "grade"} and r["grade"] in (1, 2, 3) for r in qrels)
    assert len({(r["query_id"], r["item_id"]) for r in qrels}) == len(qrels)
    assert {r["query_id"] for r in qrels} == set(ids)
    assert all(r["item_id"] in by_id for r in qrels)
    exact = Counter(r["query_id"] for r in qrels if r["grade"] == 3)
    assert all(exact[q] >= 1 for q in ids)
    judged = Counter(r["query_id"] for r in qrels)
    assert sorted(judged.values())[len(judged) // 2] <= 40
    assert Counter(r["grade"] for r in qrels).keys() == {1, 2, 3}


def test_query_mix() -> None:
    kinds = Counter(q.kind for q in QUERIES)
    assert (
        kinds["paraphrase"] >= 5 and kinds["typo"] >= 3 and kinds["brand"] >= 3 and kinds["identifier"] >= 1
    )
    assert kinds["question"] + kinds["paraphrase"] >= 10


def test_grades_follow_the_rule() -> None:
    spec = next(q for q in QUERIES if q.text == "waterproof hiking boots")
    rng = random.Random(0)

    def grade(product_type: str, force: Force) -> int:
        return spec.grade(make_product(rng, product_type, "B0TEST0000", force))

    assert grade("BOOT", Force(subtype="hiking_boot", features=("waterproof",))) == 3
    dry = make_product(rng, "BOOT", "B0TEST0001", Force(subtype="hiking_boot"))
    assert spec.grade(dry) == (3 if "waterproof" in dry.features else 2)
    assert grade("SHOES", Force(subtype="hiking_shoe", features=("waterproof",))) == 2
    assert grade("BACKPACK", Force(subtype="hiking")) == 1
    assert grade("SOFA", Force(subtype="sofa")) == 0
    chelsea = make_product(rng, "BOOT", "B0TEST0002", Force(subtype="chelsea"))
    assert spec.grade(chelsea) == 0  # a waterproof chelsea boot is not a hiking substitute either


def test_min_mods_limits_substitutes() -> None:
    spec = QuerySpec(
        "red leather wallet case iphone 12",
        "keyword",
        ("CELLULAR_PHONE_CASE",),
        (("phone", "iPhone 12"),),
        (("feature", "wallet"), ("color", "Red")),
        min_mods=1,
    )
    rng = random.Random(1)
    exact = make_product(
        rng, "CELLULAR_PHONE_CASE", "B0X", Force("wallet", ("wallet",), "Red", None, None, "iPhone 12")
    )
    assert spec.grade(exact) == 3
    half = make_product(
        rng, "CELLULAR_PHONE_CASE", "B0Y", Force("wallet", ("wallet",), "Blue", None, None, "iPhone 12")
    )
    assert spec.grade(half) == 2
    other_phone = make_product(
        rng, "CELLULAR_PHONE_CASE", "B0Z", Force("wallet", ("wallet",), "Red", None, None, "iPhone 14")
    )
    assert spec.grade(other_phone) == 0


def test_fill_drops_empty_fields_cleanly() -> None:
    assert (
        fill("{feat} {noun} by {brand}", {"feat": "Packable", "noun": "Daypack", "brand": ""})
        == "Packable Daypack"
    )
    assert fill(
        "{brand} {noun}, {feat}, {color}", {"brand": "Rivet", "noun": "Sofa", "feat": "", "color": ""}
    ) == ("Rivet Sofa")
    assert fill("{noun} with {feat2} ({size})", {"noun": "Desk", "feat2": "", "size": ""}) == "Desk"


# --- images -------------------------------------------------------------------------------------------
def test_images_csv_matches_files_and_catalog(by_id: dict[str, list[dict[str, Any]]]) -> None:
    with gzip.open(ABO / "images" / "metadata" / "images.csv.gz", "rt", encoding="utf-8") as fh:
        rows = list(csv.DictReader(io.StringIO(fh.read())))
    assert list(rows[0]) == ["image_id", "height", "width", "path"]
    main_ids = {r["main_image_id"] for rs in by_id.values() for r in rs if "main_image_id" in r}
    drawn = {row["image_id"] for row in rows}
    assert main_ids <= drawn  # every main image is drawn
    for rs in by_id.values():  # every product has a picture: its main image, else its first other view
        for r in rs:
            assert r.get("main_image_id", (r.get("other_image_id") or [None])[0]) in drawn, r["item_id"]
    assert len(drawn) == len(by_id)  # one picture per product, nothing unused
    total = 0
    for row in rows:
        assert (
            re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{8}\.jpg", row["path"]) and row["path"][:2] == row["path"][3:5]
        )
        path = ABO / "images" / "small" / row["path"]
        assert path.is_file()
        total += path.stat().st_size
        with Image.open(path) as im:
            assert im.format == "JPEG" and im.size == (int(row["width"]), int(row["height"]))
    assert total < 15_000_000
    types = {by_id_item["product_type"][0]["value"] for by_id_item in _items_with_images(by_id, rows)}
    assert len(types) >= 15


def _items_with_images(
    by_id: dict[str, list[dict[str, Any]]], rows: list[dict[str, str]]
) -> list[dict[str, Any]]:
    wanted = {row["image_id"] for row in rows}
    return [rs[0] for rs in by_id.values() if rs[0].get("main_image_id", "") in wanted]


def test_stats_file_matches_data(
    records: list[dict[str, Any]], by_id: dict[str, list[dict[str, Any]]]
) -> None:
    stats = json.loads((GOLDEN / "stats.json").read_text(encoding="utf-8"))
    assert stats["listing_lines"] == len(records)
    assert stats["unique_products"] == len(by_id)
    assert stats["queries"] == len(_jsonl(GOLDEN / "queries.jsonl"))
    assert stats["judgments"] == len(_jsonl(GOLDEN / "qrels.jsonl"))
