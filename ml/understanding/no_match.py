"""Is there anything in the catalog for this need? Decided on relevance, not on "zero hits".

Hybrid search always returns *something*: "a rocket engine for my spaceship" brings coffee
tables whose listing says "Engineered Wood". A need is unmatched when

* it is not anchored in the catalog — no product type, brand or device model the catalog knows
  was named — and
* most of its content words occur nowhere in the catalog's own vocabulary, and the best
  semantic similarity is below a bar; or the best similarity is below a lower bar whatever
  the words (the shopper used catalog words in a combination nothing fits).

The bars are cosine similarities of the query embedding to product documents; the defaults
suit normalised sentence-transformer embeddings (MiniLM, mpnet, bge) and are settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ml.retrieval.types import Hit, SearchResult
from ml.understanding.fit import names_identifier
from ml.understanding.types import Slots, Understanding
from ml.understanding.understand import identifier_terms

if TYPE_CHECKING:
    from ml.understanding.vocab import CatalogVocabulary


class NoMatchJudge:
    def __init__(self, unknown_words_similarity: float = 0.45, any_words_similarity: float = 0.2) -> None:
        self.unknown_words_similarity = unknown_words_similarity
        self.any_words_similarity = any_words_similarity

    @staticmethod
    def _known_share(terms: Sequence[str], vocab: CatalogVocabulary | Any) -> float:
        if not terms:
            return 1.0
        knows = getattr(vocab, "is_known_word", None)
        if knows is None:
            return 1.0
        return sum(1 for t in terms if knows(t)) / len(terms)

    def is_no_match(
        self,
        understanding: Understanding,
        slots: Slots,
        result: SearchResult | None,
        hits: Sequence[Hit],
        vocab: CatalogVocabulary | Any,
    ) -> bool:
        if not hits:
            return True
        if slots.product_types or slots.brands or slots.device_models:
            return False
        codes = identifier_terms(understanding.residual_terms)
        if codes and any(names_identifier(h.product, c) for h in hits for c in codes):
            return False  # the shopper typed a code a listing carries
        best = max((h.vector_score for h in hits if h.vector_score is not None), default=None)
        if slots.gift:  # open-ended: anything reasonably close is a suggestion
            return best is not None and best < self.any_words_similarity
        known = self._known_share(understanding.residual_terms, vocab)
        if known < 0.5 and (best is None or best < self.unknown_words_similarity):
            return True
        return best is not None and best < self.any_words_similarity
