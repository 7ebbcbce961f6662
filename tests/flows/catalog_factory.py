"""A small, structured catalog in the real ABO layout, written to a temp folder for flow tests.

Products have a type, colour, material, brand and style, so generated shopper queries have
right answers and same-type hard negatives exist. Deterministic for a given seed; a few
records repeat across marketplaces (deduplicated on read) and one line is malformed.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

TYPES: dict[str, dict[str, Any]] = {
    "SHOES": {
        "nouns": ["sneakers", "running shoes", "boots", "loafers"],
        "materials": ["leather", "canvas", "suede", "mesh"],
        "styles": ["casual", "athletic", "formal"],
        "bullets": [
            "Cushioned insole for all-day comfort",
            "Rubber outsole with strong grip",
            "Lace-up closure",
            "Breathable lining",
        ],
    },
    "CHAIR": {
        "nouns": ["office chair", "dining chair", "accent chair", "folding chair"],
        "materials": ["wood", "metal", "velvet", "plastic"],
        "styles": ["modern", "mid-century", "industrial"],
        "bullets": [
            "Supports up to 250 pounds",
            "Easy assembly in ten minutes",
            "Ergonomic curved backrest",
            "Non-slip floor protectors",
        ],
    },
    "LAMP": {
        "nouns": ["table lamp", "floor lamp", "desk lamp", "bedside lamp"],
        "materials": ["brass", "ceramic", "glass", "rattan"],
        "styles": ["modern", "vintage", "minimalist"],
        "bullets": [
            "Uses standard E26 bulbs",
            "Inline on/off switch",
            "Linen drum shade softens the light",
            "Weighted base for stability",
        ],
    },
    "BACKPACK": {
        "nouns": ["backpack", "laptop backpack", "hiking daypack", "school bag"],
        "materials": ["nylon", "polyester", "leather", "canvas"],
        "styles": ["travel", "urban", "outdoor"],
        "bullets": [
            "Padded 15.6 inch laptop sleeve",
            "Water-resistant fabric",
            "Adjustable padded shoulder straps",
            "Side bottle pockets",
        ],
    },
    "CELLULAR_PHONE_CASE": {
        "nouns": ["phone case", "wallet case", "bumper case", "clear case"],
        "materials": ["silicone", "TPU", "leather", "polycarbonate"],
        "styles": ["slim", "rugged", "cute"],
        "bullets": [
            "Raised edges protect screen and camera",
            "Wireless charging compatible",
            "Precise cutouts for all ports",
            "Shock-absorbing corners",
        ],
    },
    "MUG": {
        "nouns": ["coffee mug", "travel mug", "tea cup", "espresso cup"],
        "materials": ["ceramic", "stainless steel", "glass", "porcelain"],
        "styles": ["classic", "modern", "rustic"],
        "bullets": [
            "Dishwasher and microwave safe",
            "Holds 12 ounces",
            "Comfortable C-shaped handle",
            "Lead-free glaze",
        ],
    },
}
COLORS = ["Black", "White", "Red", "Blue", "Green", "Grey", "Brown", "Pink", "Yellow", "Beige"]
BRANDS = ["Northwind", "Alderly", "Quokka", "Brightline", "Marlow & Co", "Tidewater", "Kestrel", "Umbra Home"]


def _tag(value: str, tag: str = "en_US") -> list[dict[str, str]]:
    return [{"language_tag": tag, "value": value}]


def make_records(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    types = list(TYPES)
    records = []
    for i in range(n):
        ptype = types[i % len(types)]
        spec = TYPES[ptype]
        noun = rng.choice(spec["nouns"])
        color = rng.choice(COLORS)
        material = rng.choice(spec["materials"])
        style = rng.choice(spec["styles"])
        brand = rng.choice(BRANDS)
        title = f"{brand} {style.title()} {color} {material.title()} {noun.title()}"
        bullets = rng.sample(spec["bullets"], 3)
        record: dict[str, Any] = {
            "item_id": f"B0TEST{i:05d}",
            "item_name": _tag(title),
            "brand": _tag(brand),
            "product_type": [{"value": ptype}],
            "color": [{"language_tag": "en_US", "standardized_values": [color], "value": color}],
            "material": _tag(material),
            "style": _tag(style),
            "bullet_point": [{"language_tag": "en_US", "value": b} for b in bullets],
            "item_keywords": _tag(f"{noun}, {color.lower()} {noun}, {material} {noun}"),
            "domain_name": "amazon.com",
            "node": [{"node_id": 1000 + types.index(ptype), "node_name": f"/Home/{ptype.title()}"}],
        }
        records.append(record)
    return records


def write_catalog(root: Path, n: int = 120, seed: int = 7, shards: int = 2) -> Path:
    """Write ``n`` products (plus 3 cross-marketplace duplicates and a malformed line) under ``root``."""
    records = make_records(n, seed)
    duplicates = [dict(r, domain_name="amazon.co.uk") for r in records[:3]]
    lines = [json.dumps(r) for r in [*records, *duplicates]]
    lines.insert(len(lines) // 2, "{not json")
    listing_dir = root / "listings" / "metadata"
    listing_dir.mkdir(parents=True, exist_ok=True)
    per_shard = -(-len(lines) // shards)
    for shard in range(shards):
        chunk = lines[shard * per_shard : (shard + 1) * per_shard]
        with gzip.open(listing_dir / f"listings_{shard}.json.gz", "wt", encoding="utf-8") as fh:
            fh.write("\n".join(chunk) + "\n")
    return root
