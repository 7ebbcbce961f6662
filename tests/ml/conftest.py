"""Fixtures for the core library: ABO-layout catalogs written on the fly, a real embedder."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from ml.config import Settings


def listing(
    item_id: str,
    name: str,
    product_type: str = "SHOES",
    brand: str | None = "Acme",
    tag: str = "en_US",
    colors: Iterable[str] = (),
    bullets: Iterable[str] = (),
    domain: str = "amazon.com",
    **extra: Any,
) -> dict[str, Any]:
    """One listing in the real ABO layout."""
    row: dict[str, Any] = {
        "item_id": item_id,
        "domain_name": domain,
        "marketplace": "Amazon",
        "item_name": [{"language_tag": tag, "value": name}],
        "product_type": [{"value": product_type}],
        "bullet_point": [{"language_tag": tag, "value": b} for b in bullets],
        "color": [{"language_tag": tag, "value": c, "standardized_values": [c.title()]} for c in colors],
        "node": [{"node_id": 1, "node_name": f"/Categories/{product_type.title()}"}],
    }
    if brand is not None:
        row["brand"] = [{"language_tag": tag, "value": brand}]
    row.update(extra)
    return row


def write_listings(path: Path, rows: Iterable[dict[str, Any] | str]) -> Path:
    """Gzipped JSON lines; a ``str`` row is written verbatim (to make malformed lines)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for row in rows:
            handle.write((row if isinstance(row, str) else json.dumps(row)) + "\n")
    return path


SMALL_CATALOG = [
    listing(
        "B0BOOT0001",
        "Trailblaze Men's Waterproof Hiking Boots",
        "BOOT",
        "Trailblaze",
        colors=["brown"],
        bullets=["Seam-sealed waterproof membrane keeps feet dry", "Vibram outsole for rocky trails"],
    ),
    listing(
        "B0BOOT0002",
        "Summit Women's Leather Hiking Boot",
        "BOOT",
        "Summit",
        colors=["black"],
        bullets=["Full-grain leather upper", "Padded collar"],
    ),
    listing(
        "B0SHOE0003",
        "Stride Running Shoes Lightweight Mesh",
        "SHOES",
        "Stride",
        colors=["white", "blue"],
        bullets=["Breathable mesh for road running"],
    ),
    listing(
        "B0CASE0004",
        "Clear Shockproof Case for iPhone 12",
        "CELLULAR_PHONE_CASE",
        "Casey",
        colors=["clear"],
        bullets=["Raised edges protect the camera", "Wireless charging compatible"],
    ),
    listing(
        "B0CASE0005",
        "Leather Wallet Case for Galaxy S21",
        "CELLULAR_PHONE_CASE",
        "Casey",
        colors=["black"],
        bullets=["Holds three cards and cash"],
    ),
    listing(
        "B0SOFA0006",
        "Mid-Century Modern Loveseat Sofa",
        "SOFA",
        "Rivet",
        colors=["grey"],
        bullets=["Comfortable living room seating for two"],
    ),
    listing(
        "B0LAMP0007",
        "Brass Table Lamp with Linen Shade",
        "LAMP",
        None,
        colors=["gold"],
        bullets=["Warm light for a bedside table"],
    ),
    listing("B0PHON0008", "Coque en silicone pour iPhone 13", "CELLULAR_PHONE_CASE", "Casey", tag="fr_FR"),
    listing(
        "B0HEAD0009",
        "QuietWave Noise Cancelling Headphones",
        "HEADPHONES",
        "QuietWave",
        colors=["black"],
        bullets=["Active noise cancellation for flights", "30 hour battery"],
    ),
    listing(
        "B0GROC0010",
        "Organic Gluten Free Penne Pasta",
        "GROCERY",
        "FieldFare",
        bullets=["Made from brown rice", "Certified gluten-free"],
    ),
]


@pytest.fixture
def small_catalog(tmp_path: Path) -> Path:
    """An ABO root with one listings shard (10 products, one duplicate line)."""
    root = tmp_path / "abo"
    dup = dict(SMALL_CATALOG[0], domain_name="amazon.co.uk")
    write_listings(root / "listings" / "metadata" / "listings_0.json.gz", [*SMALL_CATALOG, dup])
    return root


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    from ml.embedding.sentence import SentenceEmbedder

    return SentenceEmbedder(threads=1)
