"""Typed request and response models of the gateway API (``/v1``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ml.retrieval.types import Hit, SearchFilters, SearchMode

SESSION_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class ChatRequest(BaseModel):
    """One shopper turn. Unknown keys are rejected (422) rather than silently ignored."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"message": "waterproof hiking boots", "filters": {"price_max": 150}}]
        },
    )

    session_id: str | None = Field(
        default=None, pattern=SESSION_ID_PATTERN, description="Omit to start a new conversation."
    )
    message: str = Field(min_length=1, description="What the shopper typed (or said).")
    filters: SearchFilters | None = Field(
        default=None, description="Explicit filters; they override those carried from earlier turns."
    )
    stream: bool = Field(default=False, description="Stream Server-Sent Events instead of one JSON body.")
    k: int = Field(default=5, ge=1, le=20, description="How many products to retrieve.")
    mode: SearchMode = SearchMode.hybrid

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("message must not be blank")
        return value


class ProductCard(BaseModel):
    """A retrieved product as the shopper sees it, with why it matched."""

    item_id: str
    title: str
    brand: str | None = None
    product_type: str
    price: float
    price_is_synthetic: bool = True
    colors: list[str] = Field(default_factory=list)
    image_url: str | None = Field(default=None, description="Gateway URL of the product image, if any.")
    why: str = Field(description="Why it matched: which halves ranked it and where, plus matching filters.")
    rank: int
    cited: bool = Field(default=False, description="Whether the answer cites this product.")

    @classmethod
    def from_hit(cls, hit: Hit, why_extra: str = "") -> ProductCard:
        p = hit.product
        why = hit.why() + (f"; {why_extra}" if why_extra else "")
        return cls(
            item_id=p.item_id,
            title=p.title,
            brand=p.brand,
            product_type=p.product_type,
            price=p.price,
            price_is_synthetic=p.price_is_synthetic,
            colors=p.colors,
            image_url=f"/v1/products/{p.item_id}/image" if p.image_path else None,
            why=why,
            rank=hit.rank,
        )


class HandoffInfo(BaseModel):
    """A handoff to a human agent: offered (the shopper may accept) or opened (queued for an agent)."""

    status: Literal["offered", "open", "assigned", "closed"]
    handoff_id: str | None = None
    reason: str = Field(description="Why: asked, service, repeated-no-match, rephrasing, frustration.")


class ChatResponse(BaseModel):
    answer: str
    products: list[ProductCard] = Field(
        description="Retrieved products, best first; `cited` marks cited ones."
    )
    citations: list[str] = Field(default_factory=list, description="Item ids the answer cites (verified).")
    search_mode: SearchMode
    query: str = Field(description="The standalone search query the turn was rewritten to.")
    filters: SearchFilters = Field(description="Filters applied (explicit + carried forward).")
    degraded: str | None = Field(
        default=None,
        description='Null, or why the answer is degraded, comma-separated: "no-llm", "llm-timeout", '
        '"llm-error", and search degradations such as "embedder-unavailable".',
    )
    answered_by: Literal["llm", "offline"]
    intent: str = Field(default="search", description="What the turn meant: search, refine, ask_about, "
                        "chit_chat, service, handoff, out_of_scope.")
    slots: dict[str, object] = Field(default_factory=dict, description="Constraints understood this turn "
                                     "and carried forward (only the ones set).")
    no_match: bool = Field(default=False, description="Nothing in the catalog fits the need; `products`, "
                           "if any, are alternatives.")
    alternatives: bool = Field(default=False, description="The products shown are close alternatives, "
                               "not matches.")
    handoff: HandoffInfo | None = Field(default=None, description="A human handoff offered or opened.")
    trace_id: str
    session_id: str
    timings_ms: dict[str, float] = Field(default_factory=dict)


class ErrorResponse(BaseModel):
    error: str
    detail: object | None = None
    trace_id: str | None = None


class ReadinessResponse(BaseModel):
    ready: bool
    checks: dict[str, bool]
    detail: dict[str, str] = Field(default_factory=dict)
