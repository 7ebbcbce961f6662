"""The dialogue policy's state per session: the current need, its slots, what is on screen.

Each intent updates it explicitly (see :mod:`services.gateway.policy`); the search query is
rebuilt from it every turn, so follow-ups never pile words up.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from ml.understanding.types import DialogueContext, Intent, Slots


class ShownItem(BaseModel):
    item_id: str
    title: str
    price: float
    product_type: str


class DialogueState(BaseModel):
    need_terms: list[str] = Field(default_factory=list, description="Free-text words of the current need.")
    slots: Slots = Field(default_factory=Slots)
    shown: list[ShownItem] = Field(default_factory=list, description="The result list on screen, in order.")
    focus: list[str] = Field(default_factory=list, description="Items the last question was about.")
    last_intent: Intent | None = None
    no_match_streak: int = 0
    need_repeats: int = Field(default=0, description="Searches in a row for the same need, unengaged.")
    handoff_offered: str | None = Field(default=None, description="Reason of an offer awaiting a yes.")
    handoff_id: str | None = None

    def context(self) -> DialogueContext:
        return DialogueContext(
            shown_count=len(self.shown),
            shown_types=list(dict.fromkeys(s.product_type for s in self.shown)),
            last_intent=self.last_intent,
            current_slots=self.slots,
            current_need=" ".join(self.need_terms),
        )

    def shown_ids(self) -> list[str]:
        return [s.item_id for s in self.shown]
