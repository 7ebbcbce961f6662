"""One shopper turn → :class:`Understanding`: the trained intent model, the slot extractors and a
few context rules that a text-only classifier cannot know.

The classifier sees the message alone; whether "in black?" refines something depends on whether
anything is on screen. The context rules below are the only place that mixes the two, and each
one is a statement about the conversation, not about words:

* nothing shown yet → a follow-up (``refine``/``ask_about``) is a new ``search``, unless it asks
  for a catalog-wide superlative ("what's your cheapest sofa?");
* a message that points at shown items (an ordinal, a pronoun with a question) is about them;
* a ``search`` that adds only constraints (colour, price, device, size) and names no new need,
  while items are shown, refines them;
* a ``refine`` that names a different product type than the current need starts a new need;
* a question about shown items that changes a constraint ("do you have it in 8x10?") and points
  at no position refines them; a ``search`` phrased as a follow-up ("any with a laptop
  sleeve?") of the same type refines;
* a catalog identifier ("do you have R52-W59407?") is a search, whatever the phrasing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from ml.understanding.gibberish import looks_like_gibberish
from ml.understanding.questions import classify_question
from ml.understanding.references import extract_reference
from ml.understanding.sentiment import frustration
from ml.understanding.slots import extract_slots
from ml.understanding.types import DialogueContext, Intent, Slots, Understanding
from ml.understanding.vocab import CatalogVocabulary

_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
# A message that opens like a follow-up ("any with a laptop sleeve?", "what about …", "only …").
_FOLLOW_UP_OPENER = re.compile(
    r"^\s*(any|anything|ones?|with|without|only|also|and|but|what about|how about|in|maybe|or)\b", re.I
)
# A model number or part code ("R52-W59407", "SM-G991B", "F-91W"): letters and digits together.
_IDENTIFIER = re.compile(
    r"^(?=.*\d)(?=.*[a-z])[a-z0-9]+(?:-[a-z0-9]+)+$|^(?=.*\d)(?=.*[a-z])[a-z0-9]{5,}$", re.I
)
# Who a gift is for and what they like: context for the answer, not words a product listing uses.
_GIFT_CONTEXT = frozenset(
    [
        "gift",
        "gifts",
        "present",
        "presents",
        "idea",
        "ideas",
        "dad",
        "father",
        "mum",
        "mom",
        "mother",
        "wife",
        "husband",
        "son",
        "daughter",
        "kid",
        "teenager",
        "teen",
        "friend",
        "boyfriend",
        "girlfriend",
        "partner",
        "grandma",
        "grandpa",
        "grandmother",
        "grandfather",
        "brother",
        "sister",
        "boss",
        "colleague",
        "someone",
        "somebody",
        "who",
        "likes",
        "like",
        "loves",
        "love",
        "enjoys",
        "into",
    ]
)
_NON_ENGLISH_HINT = re.compile(
    r"\b(je|cherche|une?|des|pour|busco|quiero|para|ich|suche|einen?|eine|cerco|vorrei|per)\b", re.I
)


LOW_CONFIDENCE = 0.5


def identifier_terms(terms: Sequence[str]) -> list[str]:
    """Model numbers and part codes among the shopper's words."""
    return [t for t in terms if _IDENTIFIER.match(t)]


class CoEmbed(Protocol):
    """Texts to embed together with the message, and where their base vectors go."""

    def texts(self, slots: Slots, residual: list[str]) -> list[str]: ...

    def receive(self, texts: list[str], base_vectors: np.ndarray) -> None: ...


class IntentModel(Protocol):
    def predict(self, texts: list[str]) -> list[tuple[Intent, float, dict[str, float]]]: ...


def _constraint_only(slots: Slots, residual: Sequence[str]) -> bool:
    """The turn adds constraints but names no need of its own."""
    return not slots.product_types and not residual and not slots.is_empty()


class TurnUnderstander:
    """Stateless: everything about the conversation comes in through :class:`DialogueContext`."""

    def __init__(self, vocab: CatalogVocabulary, intent_model: IntentModel | None) -> None:
        self.vocab = vocab
        self.intent_model = intent_model

    def warm_up(self) -> None:
        """Load the intent model (and its embedder) now, so the first shopper doesn't wait for it."""
        if self.intent_model is not None:
            self.intent_model.predict(["hello"])

    def understand(
        self,
        text: str,
        context: DialogueContext | None = None,
        co_embed: CoEmbed | None = None,
    ) -> Understanding:
        """``co_embed`` (optional) names texts to embed in the same batch as the message — the
        search queries the turn is likely to run — and receives their base vectors, so a search
        turn pays for one forward pass of the embedding model instead of two."""
        context = context or DialogueContext()
        message = " ".join(text.split())
        slots, residual = extract_slots(message, self.vocab)
        reference = extract_reference(message, context.shown_count)
        ask_kind, attribute = classify_question(message)
        compound, frustrated = frustration(message)
        if not _LETTERS.search(message):  # emoji, digits or punctuation only
            return Understanding(
                text=message,
                intent=Intent.chit_chat,
                confidence=0.5,
                gibberish=not message.strip("!?. "),
                sentiment=compound,
            )
        gibberish = looks_like_gibberish(message, self.vocab)
        if slots.gift:
            residual = [t for t in residual if t.lower() not in _GIFT_CONTEXT]
        if self.intent_model is not None:
            intent, confidence, scores = self._classify(message, slots, residual, co_embed)
        else:  # no trained model: say so in the scores; the policy treats every turn as a need
            intent, confidence, scores = Intent.search, 0.0, {}
        intent = self._catalog_lookup(intent, residual)
        names_catalog_things = bool(slots.product_types or slots.brands or slots.device_models)
        not_shopping = (Intent.chit_chat, Intent.out_of_scope, Intent.service)
        unsure = intent in not_shopping and confidence < LOW_CONFIDENCE
        if unsure and names_catalog_things:  # an unsure non-shopping guess on a message naming products
            intent = Intent.search
        intent = self._in_context(intent, message, slots, residual, reference, ask_kind, context)
        if intent is not Intent.ask_about:
            ask_kind = None if intent is not Intent.search or reference.scope != "catalog" else ask_kind
        elif ask_kind is None:
            ask_kind = "superlative" if reference.superlative else "detail"
        return Understanding(
            text=message,
            intent=intent,
            confidence=confidence,
            intent_scores=scores,
            slots=slots,
            reference=reference,
            ask_kind=ask_kind,
            attribute=attribute,
            residual_terms=list(residual),
            gibberish=gibberish and slots.is_empty(),
            sentiment=compound,
            frustrated=frustrated,
            language="other" if _NON_ENGLISH_HINT.search(message) else "en",
        )

    def _classify(
        self, message: str, slots: Slots, residual: list[str], co_embed: CoEmbed | None
    ) -> tuple[Intent, float, dict[str, float]]:
        model = self.intent_model
        assert model is not None
        embedder = getattr(model, "embedder", None)
        if co_embed is None or embedder is None or not hasattr(model, "predict_vectors"):
            return model.predict([message])[0]
        extra = [q for q in dict.fromkeys(co_embed.texts(slots, residual)) if q and q != message]
        if not extra:
            return model.predict([message])[0]
        vectors = embedder.embed_base([message, *extra])
        prediction = model.predict_vectors(vectors[:1], [message])[0]
        co_embed.receive(extra, vectors[1:])
        return prediction

    @staticmethod
    def _catalog_lookup(intent: Intent, residual: Sequence[str]) -> Intent:
        """ "do you have R52-W59407?" asks for a product, whatever else the phrasing suggests.

        Order and tracking numbers are digits; model and part codes mix letters and digits.
        """
        if intent in (Intent.service, Intent.out_of_scope, Intent.chit_chat) and any(
            _IDENTIFIER.match(t) for t in residual
        ):
            return Intent.search
        return intent

    @staticmethod
    def _in_context(
        intent: Intent,
        message: str,
        slots: Slots,
        residual: Sequence[str],
        reference: object,
        ask_kind: str | None,
        context: DialogueContext,
    ) -> Intent:
        from ml.understanding.types import Reference

        assert isinstance(reference, Reference)
        shown = context.shown_count > 0
        points_at_shown = bool(reference.positions or reference.pronoun or reference.all_shown)
        if not shown:
            if intent in (Intent.refine, Intent.ask_about):
                return Intent.search
            return intent
        if intent in (Intent.search, Intent.refine) and points_at_shown and ask_kind is not None:
            return Intent.ask_about
        if intent is Intent.search and reference.superlative and reference.scope == "shown":
            return Intent.ask_about
        changes_constraint = bool(
            slots.sizes or slots.colors or slots.device_models or slots.price or slots.price_change
        )
        if intent is Intent.ask_about and changes_constraint and not reference.positions:
            return Intent.refine  # "do you have it in 8x10?", "does it come in blue?": show those
        same_type = not slots.product_types or set(slots.product_types) <= set(
            context.current_slots.product_types
        )
        if intent is Intent.search and same_type and _FOLLOW_UP_OPENER.search(message):
            return Intent.refine
        if intent is Intent.search and _constraint_only(slots, residual):
            return Intent.refine
        if intent is Intent.refine and slots.product_types:
            current = set(context.current_slots.product_types)
            if current and not current & set(slots.product_types):
                return Intent.search
        return intent
