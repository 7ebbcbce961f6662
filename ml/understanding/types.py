"""Typed results of turn understanding: what one shopper message means, before anything is searched.

Pure data (pydantic), shared by the slot extractors, the intent model, the gateway's dialogue
policy and the dialogue evaluation. No web imports.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class Intent(StrEnum):
    search = "search"  # a new need ("a grey sofa under $700")
    refine = "refine"  # a follow-up on the current results ("cheaper ones?", "in black?")
    ask_about = "ask_about"  # a question about shown items: detail, comparison, superlative
    chit_chat = "chit_chat"  # greeting, thanks, bye, small talk
    service = "service"  # order status, returns, shipping, payment (no order system: say so)
    handoff = "handoff"  # wants a human
    out_of_scope = "out_of_scope"  # not shopping, or nothing a shop could answer


INTENTS: tuple[Intent, ...] = tuple(Intent)

AskKind = Literal["detail", "compare", "superlative"]
# What a detail question or a superlative is about.
Attribute = Literal[
    "price",
    "material",
    "color",
    "brand",
    "dimensions",
    "weight",
    "size",
    "compatibility",
    "features",
    "capacity",
    "general",
]
Superlative = Literal[
    "cheapest", "priciest", "lightest", "heaviest", "biggest", "smallest", "best_rated", "newest"
]


class PriceSlot(BaseModel):
    """A price constraint with its direction resolved ("no more than $700" → max 700)."""

    min: float | None = Field(default=None, ge=0)
    max: float | None = Field(default=None, ge=0)
    currency: str = "USD"  # the currency the shopper wrote (converted amounts are in USD)
    approximate: bool = False  # "around $100" → a band around the amount
    text: str = ""  # the phrase it came from


class Slots(BaseModel):
    """Everything the shopper constrained. Lists are empty and values None when not said."""

    product_types: list[str] = Field(
        default_factory=list, description="Catalog product types (e.g. SOFA), mapped from the words used."
    )
    type_terms: list[str] = Field(default_factory=list, description="The words that named the type.")
    brands: list[str] = Field(default_factory=list, description="Catalog brands, canonical spelling.")
    colors: list[str] = Field(default_factory=list, description="Standardised colours (lower-case).")
    exclude_colors: list[str] = Field(default_factory=list, description='Negated colours ("not pink").')
    materials: list[str] = Field(default_factory=list)
    exclude_terms: list[str] = Field(
        default_factory=list, description='Negated attributes ("without a lid" → "lid").'
    )
    exclude_materials: list[str] = Field(
        default_factory=list, description='Negated materials ("not leather").'
    )
    exclude_brands: list[str] = Field(
        default_factory=list, description='Negated brands ("not AmazonBasics").'
    )
    price: PriceSlot | None = None
    price_change: Literal["cheaper", "pricier"] | None = Field(
        default=None, description='Relative price wish without an amount ("cheaper ones?").'
    )
    size_change: Literal["bigger", "smaller"] | None = Field(
        default=None, description='Relative size wish ("a bigger one", "smaller size").'
    )
    sizes: list[str] = Field(
        default_factory=list, description='Normalised sizes: "5x8", "160x230 cm", "17 inch", "queen".'
    )
    device_models: list[str] = Field(
        default_factory=list,
        description='Canonical device models, exact ("iphone 13 pro", "galaxy s21 ultra"; '
        "SM-G991B → galaxy s21).",
    )
    audience: list[str] = Field(
        default_factory=list, description="women, men, kids, baby, dog, cat, unisex, ..."
    )
    capacity: int | None = Field(
        default=None, description='People/persons it must hold ("family of four" → 4).'
    )
    features: list[str] = Field(
        default_factory=list, description='Wanted features ("waterproof", "magsafe").'
    )
    gift: bool = False

    def is_empty(self) -> bool:
        return self == Slots()


class Reference(BaseModel):
    """Which shown items a turn points at. Positions are 0-based into the last shown list."""

    positions: list[int] = Field(default_factory=list, description='"the second one" → [1]; "last" → [-1].')
    pronoun: bool = Field(default=False, description='"it", "that one", "them" with no position.')
    all_shown: bool = Field(default=False, description='"which of these", "any of them".')
    superlative: Superlative | None = None
    scope: Literal["shown", "catalog"] = Field(
        default="shown", description='"the cheapest of these" vs "the cheapest sofa you have".'
    )


class Understanding(BaseModel):
    """The typed meaning of one turn."""

    text: str
    intent: Intent
    confidence: float = Field(ge=0.0, le=1.0)
    intent_scores: dict[str, float] = Field(default_factory=dict)
    slots: Slots = Field(default_factory=Slots)
    reference: Reference = Field(default_factory=Reference)
    ask_kind: AskKind | None = None
    attribute: Attribute | None = None
    # Content words left after slots were taken out: the free-text part of the need.
    residual_terms: list[str] = Field(default_factory=list)
    gibberish: bool = Field(default=False, description="Looks like keyboard mashing; ask to rephrase.")
    sentiment: float = Field(default=0.0, ge=-1.0, le=1.0, description="VADER compound score.")
    frustrated: bool = False
    language: str = "en"


class DialogueContext(BaseModel):
    """What understanding may know of the conversation so far (the policy's state, read-only)."""

    shown_count: int = Field(default=0, ge=0, description="How many items the shopper is looking at.")
    shown_types: list[str] = Field(default_factory=list, description="Product types of the shown items.")
    last_intent: Intent | None = None
    current_slots: Slots = Field(default_factory=Slots)
    current_need: str = Field(default="", description="The free-text need being served.")
