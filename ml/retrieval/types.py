"""Request and result types shared by the indexes, the fusion step and every caller."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ml.catalog.product import Product


class SearchMode(StrEnum):
    keyword = "keyword"
    vector = "vector"
    hybrid = "hybrid"


class SearchFilters(BaseModel):
    """Filters applied inside both halves, so fusion never surfaces a filtered-out product.

    Matching on ``product_types``, ``brands`` and ``colors`` is case-insensitive and exact on
    the normalised value (product types are stored upper-case, brands and colours lower-case).
    """

    model_config = ConfigDict(extra="forbid")

    price_min: float | None = Field(default=None, ge=0)
    price_max: float | None = Field(default=None, ge=0)
    product_types: list[str] = Field(default_factory=list, max_length=50)
    brands: list[str] = Field(default_factory=list, max_length=50)
    colors: list[str] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _check_range(self) -> SearchFilters:
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise ValueError("price_min must not exceed price_max")
        return self

    def is_empty(self) -> bool:
        return (
            self.price_min is None
            and self.price_max is None
            and not self.product_types
            and not self.brands
            and not self.colors
        )

    def merged(self, other: SearchFilters | None) -> SearchFilters:
        """Fields set in ``other`` override this one's (used to carry filters across turns)."""
        if other is None:
            return self
        data = self.model_dump()
        for key, value in other.model_dump().items():
            if value not in (None, []):
                data[key] = value
        return SearchFilters(**data)


class IndexHit(BaseModel):
    """One half's answer for one product: its 1-based rank and raw score, plus the record."""

    item_id: str
    rank: int
    score: float
    product: Product


class Hit(BaseModel):
    """A fused hit; each half's rank and score are kept so the ranking can be explained."""

    item_id: str
    rank: int
    score: float = Field(description="Fused (weighted reciprocal-rank) score, or the half's own.")
    keyword_rank: int | None = None
    keyword_score: float | None = None
    vector_rank: int | None = None
    vector_score: float | None = None
    rerank_score: float | None = Field(default=None, description="Cross-encoder logit, when reranked.")
    product: Product

    def why(self) -> str:
        parts = []
        if self.keyword_rank is not None:
            parts.append(f"keyword #{self.keyword_rank}")
        if self.vector_rank is not None:
            parts.append(f"semantic #{self.vector_rank}")
        return " + ".join(parts) or "matched"


class SearchResult(BaseModel):
    query: str
    mode: SearchMode = Field(description="The mode actually served (may differ when degraded).")
    requested_mode: SearchMode
    hits: list[Hit]
    degraded: list[str] = Field(default_factory=list, description="Why parts were unavailable.")
    timings_ms: dict[str, float] = Field(default_factory=dict)
