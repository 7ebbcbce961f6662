"""Reading ABO listings: gzipped JSON lines from a file, a folder, or the public S3 bucket.

Nothing in the input can stop a load: a malformed line (bad JSON, missing ``item_id``, wrong
types) is counted and reported with its file and line number, and a truncated gzip stream is
reported and the lines before it are kept. Products are deduplicated by ``item_id`` (ABO
repeats items across ``domain_name``s); the English-best record wins and domains are merged.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import urllib.request
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ml.catalog.english import pick_language, plain_values, standardized_colors
from ml.catalog.facts import first_plain, first_text, parse_dimensions, parse_weight, parse_year
from ml.catalog.pricing import synthetic_price
from ml.catalog.product import Product

S3_BUCKET = "amazon-berkeley-objects"
S3_HTTP_ROOT = f"https://{S3_BUCKET}.s3.amazonaws.com"
ABO_LISTING_SHARDS = [f"listings/metadata/listings_{i:x}.json.gz" for i in range(16)]
ABO_IMAGES_CSV = "images/metadata/images.csv.gz"
MAX_BULLETS = 8


class ListingError(ValueError):
    """A listing line that cannot become a product; ``reason`` is a short stable code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class SkippedLine:
    source: str
    line: int
    reason: str
    detail: str = ""


@dataclass
class LoadReport:
    lines_read: int = 0
    parsed: int = 0
    duplicates: int = 0
    non_english: int = 0
    skipped: list[SkippedLine] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def skipped_by_reason(self) -> dict[str, int]:
        return dict(Counter(s.reason for s in self.skipped))

    def as_dict(self, max_examples: int = 20) -> dict[str, Any]:
        return {
            "lines_read": self.lines_read,
            "parsed": self.parsed,
            "duplicates_merged": self.duplicates,
            "non_english_products": self.non_english,
            "skipped": len(self.skipped),
            "skipped_by_reason": self.skipped_by_reason,
            "skipped_examples": [
                {"source": s.source, "line": s.line, "reason": s.reason, "detail": s.detail}
                for s in self.skipped[:max_examples]
            ],
            "sources": self.sources,
        }


@dataclass
class Catalog:
    products: list[Product]
    report: LoadReport


# --------------------------------------------------------------------------- parsing


def _text_list(obj: dict[str, Any], key: str) -> tuple[list[str], bool]:
    loc = pick_language(obj.get(key))
    return loc.values, not loc.is_english


def parse_listing(obj: Any, images: dict[str, str] | None = None) -> Product:
    """One ABO listing object → :class:`Product`; raises :class:`ListingError`."""
    if not isinstance(obj, dict):
        raise ListingError("not-an-object", type(obj).__name__)
    item_id = obj.get("item_id")
    if not isinstance(item_id, str) or not item_id.strip():
        raise ListingError("missing-item-id")
    for key in ("item_name", "brand", "bullet_point", "color", "product_type", "node", "item_keywords"):
        value = obj.get(key)
        if value is not None and not isinstance(value, list):
            raise ListingError("wrong-type", f"{key} must be a list, got {type(value).__name__}")
    main_image = obj.get("main_image_id")
    if main_image is not None and not isinstance(main_image, str):
        raise ListingError("wrong-type", "main_image_id must be a string")

    non_english: list[str] = []
    name = pick_language(obj.get("item_name"))
    if not name.values:
        raise ListingError("missing-item-name", item_id)
    if not name.is_english:
        non_english.append("item_name")

    def texts(key: str) -> list[str]:
        values, foreign = _text_list(obj, key)
        if foreign and values:
            non_english.append(key)
        return values

    brand = texts("brand")
    types = plain_values(obj.get("product_type"))
    product_type = (types[0] if types else "UNKNOWN").upper().strip() or "UNKNOWN"
    colors = standardized_colors(obj.get("color"))
    color_text = texts("color")
    material = texts("material")
    style = texts("style")
    bullets = texts("bullet_point")[:MAX_BULLETS]
    keywords = texts("item_keywords")
    description = texts("product_description")
    nodes = obj.get("node") or []
    node_path = next((str(n["node_name"]) for n in nodes if isinstance(n, dict) and n.get("node_name")), None)
    domain = obj.get("domain_name")
    image_paths = known_image_paths(main_image, obj.get("other_image_id"), images or {})

    return Product(
        item_id=item_id.strip(),
        title=name.values[0],
        brand=brand[0] if brand else None,
        product_type=product_type,
        colors=colors,
        color_text=color_text[0] if color_text else None,
        material=", ".join(dict.fromkeys(material)) or None,
        style=style[0] if style else None,
        bullets=bullets,
        keywords=_split_keywords(keywords),
        description=description[0][:2000] if description else None,
        node_path=node_path,
        main_image_id=main_image,
        image_path=image_paths[0] if image_paths else None,
        image_paths=image_paths,
        price=synthetic_price(item_id.strip(), product_type),
        price_is_synthetic=True,
        language=name.language or "en_US",
        non_english_fields=sorted(set(non_english)),
        domains=[domain] if isinstance(domain, str) else [],
        **listing_facts(obj),
    )


def known_image_paths(main: str | None, others: Any, images: dict[str, str]) -> list[str]:
    """Paths of the main image, then each ``other_image_id`` in order, that ``images.csv`` knows."""
    ids = [main, *(others if isinstance(others, list) else [])]
    return list(dict.fromkeys(images[i] for i in ids if isinstance(i, str) and i in images))


def listing_facts(obj: dict[str, Any]) -> dict[str, Any]:
    """Optional facts (dimensions, weight, model, pattern…); an unreadable one is left out."""
    parsers: dict[str, tuple[str, Callable[[Any], Any]]] = {
        "dimensions": ("item_dimensions", parse_dimensions),
        "weight": ("item_weight", parse_weight),
        "model_number": ("model_number", first_plain),
        "model_name": ("model_name", first_text),
        "model_year": ("model_year", parse_year),
        "pattern": ("pattern", first_text),
        "fabric_type": ("fabric_type", first_text),
        "finish_type": ("finish_type", first_text),
        "item_shape": ("item_shape", first_text),
    }
    facts: dict[str, Any] = {}
    for name, (key, parse) in parsers.items():
        try:
            value = parse(obj.get(key))
        except (TypeError, ValueError, AttributeError):
            continue
        if value is not None:
            facts[name] = value
    return facts


def _split_keywords(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        for part in value.replace(";", ",").split(","):
            part = part.strip()
            if part and part.lower() not in (o.lower() for o in out):
                out.append(part)
    return out[:30]


# --------------------------------------------------------------------------- sources


def _open_source(source: str) -> IO[bytes]:
    if source.startswith("s3://"):
        bucket, _, key = source[5:].partition("/")
        url = f"https://{bucket}.s3.amazonaws.com/{key}"
        return urllib.request.urlopen(url, timeout=60)
    if source.startswith(("http://", "https://")):
        return urllib.request.urlopen(source, timeout=60)
    return open(source, "rb")


def _iter_text_lines(source: str) -> Iterator[str]:
    """Decoded lines; gzip is detected by magic bytes. A truncated stream raises EOFError."""
    raw: Any = _open_source(source)
    with raw:
        buffered: Any = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)
        magic = buffered.peek(2)[:2]
        stream: Any = gzip.GzipFile(fileobj=buffered) if magic == b"\x1f\x8b" else buffered
        yield from io.TextIOWrapper(stream, encoding="utf-8", errors="replace")


def resolve_sources(path: str | Path) -> tuple[list[str], str | None]:
    """Listing files and the ``images.csv.gz`` (if any) for a file, folder or S3 URL.

    A folder may be an ABO root (``listings/metadata/*.json.gz``), or hold listing files
    directly (``*.json.gz``, ``*.jsonl``, ``*.json``).
    """
    text = str(path)
    if text.startswith("s3://"):
        root = text.rstrip("/")
        if root.endswith((".gz", ".json", ".jsonl")):
            return [root], None
        if root == f"s3://{S3_BUCKET}":
            return [f"{root}/{shard}" for shard in ABO_LISTING_SHARDS], f"{root}/{ABO_IMAGES_CSV}"
        return [f"{root}/{shard}" for shard in ABO_LISTING_SHARDS], None
    p = Path(path)
    if p.is_file():
        images = p.parent.parent.parent / ABO_IMAGES_CSV
        return [str(p)], str(images) if images.is_file() else None
    if not p.is_dir():
        raise FileNotFoundError(f"catalog not found: {p}")
    listing_dir = p / "listings" / "metadata"
    base = listing_dir if listing_dir.is_dir() else p
    files = sorted(
        str(f) for f in base.iterdir() if f.is_file() and f.name.endswith((".json.gz", ".jsonl", ".json"))
    )
    if not files:
        raise FileNotFoundError(f"no listing files (*.json.gz, *.jsonl) in {base}")
    images = p / ABO_IMAGES_CSV
    return files, str(images) if images.is_file() else None


def load_image_paths(source: str | None) -> dict[str, str]:
    """``image_id → path`` from ABO's ``images.csv.gz`` (columns image_id,height,width,path)."""
    if not source:
        return {}
    try:
        text = "".join(_iter_text_lines(source))
    except (OSError, EOFError, zlib.error):
        return {}
    return {
        row["image_id"]: row["path"]
        for row in csv.DictReader(io.StringIO(text))
        if row.get("image_id") and row.get("path")
    }


def iter_listings(
    sources: Iterable[str], report: LoadReport, images: dict[str, str] | None = None
) -> Iterator[Product]:
    """Parse every line of every source; problems go to ``report``, never raise."""
    for source in sources:
        report.sources.append(source)
        line_no = 0
        try:
            for line_no, line in enumerate(_iter_text_lines(source), start=1):
                report.lines_read += 1
                if not line.strip():
                    report.skipped.append(SkippedLine(source, line_no, "blank-line"))
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    report.skipped.append(SkippedLine(source, line_no, "invalid-json", exc.msg))
                    continue
                try:
                    product = parse_listing(obj, images)
                except ListingError as exc:
                    report.skipped.append(SkippedLine(source, line_no, exc.reason, exc.detail))
                    continue
                except (TypeError, ValueError, AttributeError) as exc:
                    report.skipped.append(SkippedLine(source, line_no, "wrong-type", str(exc)[:200]))
                    continue
                report.parsed += 1
                yield product
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            report.skipped.append(
                SkippedLine(source, line_no + 1, "truncated-gzip", f"{type(exc).__name__}: {exc}")
            )
        except OSError as exc:
            report.skipped.append(SkippedLine(source, line_no + 1, "unreadable", str(exc)[:200]))


def _better(new: Product, old: Product) -> bool:
    """Prefer the record whose text is English, then the one with more content."""
    if bool(new.non_english_fields) != bool(old.non_english_fields):
        return not new.non_english_fields
    return (new.language == "en_US") and old.language != "en_US"


def dedupe(products: Iterable[Product], report: LoadReport) -> list[Product]:
    by_id: dict[str, Product] = {}
    for product in products:
        old = by_id.get(product.item_id)
        if old is None:
            by_id[product.item_id] = product
            continue
        report.duplicates += 1
        domains = list(dict.fromkeys([*old.domains, *product.domains]))
        keep = product if _better(product, old) else old
        by_id[product.item_id] = keep.model_copy(update={"domains": domains})
    out = list(by_id.values())
    report.non_english = sum(1 for p in out if p.non_english_fields)
    return out


def read_catalog(path: str | Path, limit: int | None = None) -> Catalog:
    """Read, parse and deduplicate a catalog; ``limit`` caps unique products (for samples)."""
    sources, images_csv = resolve_sources(path)
    report = LoadReport()
    images = load_image_paths(images_csv)
    stream = iter_listings(sources, report, images)
    if limit is not None:
        stream = _take_unique(stream, limit)
    return Catalog(dedupe(stream, report), report)


def _take_unique(stream: Iterator[Product], limit: int) -> Iterator[Product]:
    seen: set[str] = set()
    for product in stream:
        if product.item_id not in seen and len(seen) >= limit:
            return
        seen.add(product.item_id)
        yield product


def images_root_for(path: str | Path) -> Path | None:
    """Folder holding ``images/small`` for an ABO-layout catalog path, when local."""
    text = str(path)
    if text.startswith("s3://"):
        return None
    p = Path(path)
    root = p if p.is_dir() else p.parent.parent.parent
    small = root / "images" / "small"
    return small if small.is_dir() else None
