"""The flattened, English product record every other part of ShopTalk works with."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Product(BaseModel):
    """One ABO listing flattened to English (deduplicated by ``item_id``).

    ``price`` is synthetic (ABO has no prices): deterministic per item and product type, and
    ``price_is_synthetic`` says so. ``non_english_fields`` names the fields for which no
    English value existed and another language was kept.
    """

    item_id: str
    title: str
    brand: str | None = None
    product_type: str = "UNKNOWN"
    colors: list[str] = Field(default_factory=list, description="Standardized colour names.")
    color_text: str | None = Field(default=None, description="The listing's own colour wording.")
    material: str | None = None
    style: str | None = None
    bullets: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    description: str | None = None
    node_path: str | None = None
    main_image_id: str | None = None
    image_path: str | None = Field(default=None, description="Path below the ABO images root.")
    caption: str | None = Field(default=None, description="Image caption (BLIP), filled by ingestion.")
    price: float = 0.0
    price_is_synthetic: bool = True
    language: str = "en_US"
    non_english_fields: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    embedding_model: str | None = Field(default=None, description="Model version that embedded it.")

    @property
    def display_type(self) -> str:
        """``CELLULAR_PHONE_CASE`` → ``cellular phone case``."""
        return self.product_type.replace("_", " ").lower()
