"""Write the sample ABO catalog, its image set and the golden query set, deterministically.

    python -m ml.sample.generate [--out ml/sample/abo] [--golden ml/sample/golden] [--seed 7]

Outputs (below ``--out``, in the real ABO layout):

* ``listings/metadata/listings_{0,1}.json.gz`` — one ABO listing per line;
* ``images/metadata/images.csv.gz`` and ``images/small/<xx>/<hash>.jpg`` — a drawn illustration for
  every product: its main image, or, for the ~1 % of listings without a ``main_image_id`` (as in
  ABO), its first ``other_image_id``, so every sample product has a picture;

and below ``--golden``: ``queries.jsonl``, ``qrels.jsonl`` and ``stats.json``. The same seed always
produces byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import random
import shutil
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ml.sample.catalog import (
    DUPLICATE_RATE,
    MISSING_IMAGE_RATE,
    PHONE_CASE,
    SampleProduct,
    assign_language,
    duplicate_language,
    image_id,
    image_path,
    item_id,
    make_product,
    to_record,
    type_counts,
)
from ml.sample.golden import QUERIES
from ml.sample.images import CANVAS, draw_product
from ml.sample.vocab import FOREIGN_LANGUAGES

DEFAULT_SEED = 7
RANDOM_PRODUCTS = 2100
ANCHORS_PER_QUERY = 2
LISTING_FILES = 2
HERE = Path(__file__).resolve().parent


@dataclass
class Sample:
    """Everything the generator produces, in memory."""

    products: list[SampleProduct]
    records: list[dict[str, Any]]
    images: list[tuple[str, str, bytes]]  # (image_id, path, jpeg)
    qrels: list[dict[str, Any]]
    stats: dict[str, Any] = field(default_factory=dict)


def build(seed: int = DEFAULT_SEED) -> Sample:
    """Generate the sample in memory; every random choice comes from ``seed``."""
    rng = random.Random(f"abo-sample:{seed}")
    ids_rng = random.Random(f"abo-sample:{seed}:ids")
    taken: set[str] = set()
    products: list[SampleProduct] = []
    for product_type, count in type_counts(RANDOM_PRODUCTS).items():
        for _ in range(count):
            products.append(make_product(rng, product_type, item_id(ids_rng, taken)))

    # Anchors: every golden query gets at least two exact (grade-3) products.
    anchor_rng = random.Random(f"abo-sample:{seed}:anchors")
    for spec in QUERIES:
        exact = sum(1 for p in products if spec.grade(p) == 3)
        for _ in range(max(0, ANCHORS_PER_QUERY - exact)):
            product_type, force = spec.anchor()
            anchor = make_product(anchor_rng, product_type, item_id(ids_rng, taken), force)
            anchor.anchor = True
            if spec.grade(anchor) != 3:
                raise AssertionError(f"anchor for {spec.text!r} does not grade 3: {anchor}")
            products.append(anchor)

    lang_rng = random.Random(f"abo-sample:{seed}:languages")
    image_rng = random.Random(f"abo-sample:{seed}:images")
    no_main_rng = random.Random(f"abo-sample:{seed}:images:no-main")
    for product in products:
        assign_language(lang_rng, product)
        if product.anchor or image_rng.random() >= MISSING_IMAGE_RATE:
            product.main_image_id = image_id(image_rng)
        product.other_image_ids = [image_id(image_rng) for _ in range(image_rng.choice((0, 1, 2, 3, 4, 6)))]
        if product.main_image_id is None:  # no main image, as in ABO: its picture is another view
            product.other_image_ids.insert(0, image_id(no_main_rng))
    rng.shuffle(products)

    dup_rng = random.Random(f"abo-sample:{seed}:duplicates")
    records = [to_record(p) for p in products]
    duplicates = [
        to_record(p, duplicate_language(dup_rng, p)) for p in products if dup_rng.random() < DUPLICATE_RATE
    ]
    for record in duplicates:
        if dup_rng.random() < 0.5 and "main_image_id" in record:  # a main-less listing keeps its picture
            record.pop("other_image_id", None)
        records.insert(dup_rng.randint(0, len(records)), record)

    images = _draw_images(products)
    qrels = judge(products)
    sample = Sample(products=products, records=records, images=images, qrels=qrels)
    sample.stats = compute_stats(sample)
    return sample


def picture_id(product: SampleProduct) -> str:
    """The image a shopper sees first: the main image, else the first other view."""
    found = product.main_image_id or next(iter(product.other_image_ids), None)
    if found is None:
        raise AssertionError(f"sample product {product.item_id} has no image id")
    return found


def _draw_images(products: list[SampleProduct]) -> list[tuple[str, str, bytes]]:
    """Every product gets its illustration (under its picture id), in image-id order."""
    out = []
    for product in sorted(products, key=picture_id):
        iid = picture_id(product)
        out.append(
            (iid, image_path(iid), draw_product(product.product_type, product.color, iid, product.brand))
        )
    return out


def judge(products: list[SampleProduct]) -> list[dict[str, Any]]:
    """Grade every product against every golden query by the query's explicit rule."""
    qrels: list[dict[str, Any]] = []
    for number, spec in enumerate(QUERIES, start=1):
        graded = [(spec.grade(p), p.item_id) for p in products]
        for grade, iid in sorted((g for g in graded if g[0] > 0), key=lambda g: (-g[0], g[1])):
            qrels.append({"query_id": query_id(number), "item_id": iid, "grade": grade})
    return qrels


def query_id(number: int) -> str:
    return f"q{number:03d}"


def compute_stats(sample: Sample) -> dict[str, Any]:
    products = sample.products
    records = sample.records
    ids = Counter(r["item_id"] for r in records)
    types = Counter(p.product_type for p in products)
    per_query = Counter(q["query_id"] for q in sample.qrels)
    grades = Counter(q["grade"] for q in sample.qrels)
    tags = Counter(r["item_name"][0]["language_tag"] for r in records)
    return {
        "listing_lines": len(records),
        "unique_products": len(ids),
        "duplicate_lines": len(records) - len(ids),
        "product_types": len(types),
        "products_per_type": dict(sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))),
        "phone_case_share": round(types[PHONE_CASE] / len(products), 3),
        "missing_brand": sum(1 for p in products if p.brand is None),
        "missing_main_image": sum(1 for p in products if p.main_image_id is None),
        "title_not_english": sum(1 for p in products if p.language in FOREIGN_LANGUAGES),
        "title_in_two_languages": sum(
            1 for p in products if p.foreign_title and p.language not in FOREIGN_LANGUAGES
        ),
        "item_name_language_tags": dict(sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))),
        "anchor_products": sum(1 for p in products if p.anchor),
        "images": len(sample.images),
        "image_bytes": sum(len(j) for _, _, j in sample.images),
        "queries": len(QUERIES),
        "queries_by_kind": dict(sorted(Counter(q.kind for q in QUERIES).items())),
        "judgments": len(sample.qrels),
        "judgments_by_grade": {str(g): grades[g] for g in (3, 2, 1)},
        "judged_per_query": {
            "min": min(per_query.values()),
            "median": statistics.median(per_query.values()),
            "max": max(per_query.values()),
        },
    }


# --- writing ---------------------------------------------------------------------------------------
def _gzip_bytes(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buf.getvalue()


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def write(sample: Sample, out: Path, golden: Path) -> list[Path]:
    """Write the catalog below ``out`` and the golden set below ``golden``; returns the files written."""
    written: list[Path] = []

    def put(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)

    per_file = -(-len(sample.records) // LISTING_FILES)
    for index in range(LISTING_FILES):
        chunk = sample.records[index * per_file : (index + 1) * per_file]
        put(out / "listings" / "metadata" / f"listings_{index}.json.gz", _gzip_bytes(_jsonl(chunk)))

    small = out / "images" / "small"
    if small.exists():
        shutil.rmtree(small)
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    writer.writerow(["image_id", "height", "width", "path"])
    for iid, path, jpeg in sample.images:
        writer.writerow([iid, CANVAS, CANVAS, path])
        put(small / path, jpeg)
    put(out / "images" / "metadata" / "images.csv.gz", _gzip_bytes(rows.getvalue().encode()))

    queries = [
        {"query_id": query_id(n), "query": q.text, "kind": q.kind} for n, q in enumerate(QUERIES, start=1)
    ]
    put(golden / "queries.jsonl", _jsonl(queries))
    put(golden / "qrels.jsonl", _jsonl(sample.qrels))
    put(golden / "stats.json", (json.dumps(sample.stats, indent=2, ensure_ascii=False) + "\n").encode())
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=HERE / "abo", help="catalog root (ABO layout)")
    parser.add_argument(
        "--golden", type=Path, default=None, help="golden set folder (default: OUT/../golden)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    golden = args.golden or args.out.parent / "golden"
    sample = build(args.seed)
    files = write(sample, args.out, golden)
    print(f"wrote {len(files)} files below {args.out} and {golden}")
    print(json.dumps(sample.stats, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
