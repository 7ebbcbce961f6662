"""Vocabularies for the slot tests: one learned from the committed sample catalog, one from a
small hand-built catalog whose types and words the sample does not have."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml.catalog.product import Product
from ml.catalog.reader import read_catalog
from ml.understanding.vocab import CatalogVocabulary

SAMPLE = Path(__file__).resolve().parents[3] / "ml" / "sample" / "abo"


@pytest.fixture(scope="session")
def sample_products() -> list[Product]:
    return read_catalog(SAMPLE).products


@pytest.fixture(scope="session")
def vocab(sample_products: list[Product]) -> CatalogVocabulary:
    return CatalogVocabulary.from_products(sample_products)


def _p(
    i: int, title: str, ptype: str, node: str, keywords: list[str], brand: str | None = None, **kw: object
) -> Product:
    return Product(
        item_id=f"T{i:04d}",
        title=title,
        product_type=ptype,
        node_path=node,
        keywords=keywords,
        brand=brand,
        **kw,
    )


COVERS = "/Categories/Home/Furniture Covers/Slipcovers"
HAND_BUILT = [
    _p(1, "Trailhead 4 Person Dome Tent, Forest Green", "TENT", "/Categories/Outdoors/Camping/Tents",
       ["dome tent", "tent", "camping shelter"], "Trailhead", colors=["green"], color_text="Forest Green"),
    _p(2, "Trailhead 2 Person Backpacking Tent", "TENT", "/Categories/Outdoors/Camping/Tents",
       ["backpacking tent", "tent", "shelter"], "Trailhead", colors=["orange"], color_text="Rust"),
    _p(3, "Summit Cabin Tent for 6 People", "TENT", "/Categories/Outdoors/Camping/Tents",
       ["cabin tent", "family tent", "tent"], "Summit Gear"),
    _p(4, "Stretch Sofa Slipcover, 3 Seater, Taupe", "SLIPCOVER", COVERS,
       ["sofa slipcover", "couch cover", "slipcover"], "CoverCo", colors=["beige"], color_text="Taupe"),
    _p(5, "Velvet Loveseat Slipcover, Navy", "SLIPCOVER", "/Categories/Home/Furniture Covers/Slipcovers",
       ["loveseat slipcover", "slipcover"], "CoverCo", colors=["blue"], color_text="Navy"),
    _p(6, "Recliner Slipcover with Pockets", "SLIPCOVER", "/Categories/Home/Furniture Covers/Slipcovers",
       ["recliner cover", "slipcover"], "CoverCo"),
    _p(7, "Ceramic Pour Over Kettle, Matte Black", "KETTLE", "/Categories/Kitchen/Kettles",
       ["gooseneck kettle", "kettle", "pour over"], "Brewly", colors=["black"], color_text="Matte Black"),
    _p(8, "Electric Kettle 1.7 L, Stainless", "KETTLE", "/Categories/Kitchen/Kettles/Electric Kettles",
       ["electric kettle", "kettle"], "Brewly", colors=["silver"], color_text="Stainless"),
    _p(9, "Cast Iron Stovetop Kettle", "KETTLE", "/Categories/Kitchen/Kettles",
       ["stovetop kettle", "kettle"], None),
]  # fmt: skip


@pytest.fixture(scope="session")
def hand_vocab() -> CatalogVocabulary:
    return CatalogVocabulary.from_products(HAND_BUILT)
