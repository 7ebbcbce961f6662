"""The flattened, English product record every other part of ShopTalk works with."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Dimensions(BaseModel):
    """A listing's ``item_dimensions``: length/width/height in inches, plus the listing's own unit.

    Any side may be missing. ``unit`` and ``length``/``width``/``height`` are the values as the
    listing wrote them (e.g. centimetres on amazon.de), so an answer can quote either.
    """

    length_in: float | None = Field(default=None, gt=0)
    width_in: float | None = Field(default=None, gt=0)
    height_in: float | None = Field(default=None, gt=0)
    unit: str | None = Field(default=None, description="The listing's own unit (inches, centimeters…).")
    length: float | None = None
    width: float | None = None
    height: float | None = None

    def sides_in(self) -> list[float]:
        return [v for v in (self.length_in, self.width_in, self.height_in) if v is not None]

    @property
    def volume_in3(self) -> float | None:
        """Box volume in cubic inches when all three sides are known (for "the biggest")."""
        if self.length_in is None or self.width_in is None or self.height_in is None:
            return None
        return self.length_in * self.width_in * self.height_in


class Weight(BaseModel):
    """A listing's ``item_weight``: pounds, plus the value and unit the listing wrote."""

    pounds: float = Field(gt=0)
    value: float | None = None
    unit: str | None = None


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
    image_paths: list[str] = Field(
        default_factory=list,
        description="Every picture the listing names that images.csv knows, main first (= image_path).",
    )
    caption: str | None = Field(default=None, description="Image caption (BLIP), filled by ingestion.")
    price: float = 0.0
    price_is_synthetic: bool = True
    language: str = "en_US"
    non_english_fields: list[str] = Field(default_factory=list)
    # Listing facts a shopper asks about (all optional: many listings lack them).
    dimensions: Dimensions | None = None
    weight: Weight | None = None
    model_number: str | None = None
    model_name: str | None = None
    model_year: int | None = None
    pattern: str | None = None
    fabric_type: str | None = None
    finish_type: str | None = None
    item_shape: str | None = None
    domains: list[str] = Field(default_factory=list)
    embedding_model: str | None = Field(default=None, description="Model version that embedded it.")

    @property
    def weight_lb(self) -> float | None:
        return self.weight.pounds if self.weight is not None else None

    @property
    def gallery(self) -> list[str]:
        """The listing's pictures in order (an index built before ``image_paths`` has ``image_path`` only)."""
        return self.image_paths or ([self.image_path] if self.image_path else [])

    @property
    def display_type(self) -> str:
        """``CELLULAR_PHONE_CASE`` → ``cellular phone case``."""
        return self.product_type.replace("_", " ").lower()
