"""The context rules that combine the text-only intent model with the conversation."""

from __future__ import annotations

import pytest

from ml.understanding.types import DialogueContext, Intent, Slots
from ml.understanding.understand import TurnUnderstander
from ml.understanding.vocab import CatalogVocabulary


class FixedIntent:
    """Stands in for the trained classifier: always answers ``intent`` (what is tested is context)."""

    def __init__(self, intent: Intent) -> None:
        self.intent = intent

    def predict(self, texts: list[str]) -> list[tuple[Intent, float, dict[str, float]]]:
        return [(self.intent, 0.9, {self.intent.value: 0.9}) for _ in texts]


SHOWN = DialogueContext(shown_count=5, shown_types=["RUG"], current_slots=Slots(product_types=["RUG"]))


def understand(vocab: CatalogVocabulary, text: str, model: Intent, context: DialogueContext | None = None):  # type: ignore[no-untyped-def]
    return TurnUnderstander(vocab, FixedIntent(model)).understand(text, context)


def test_nothing_shown_makes_follow_ups_new_needs(vocab: CatalogVocabulary) -> None:
    assert understand(vocab, "cheaper ones?", Intent.refine).intent is Intent.search
    assert understand(vocab, "what material is the second one?", Intent.ask_about).intent is Intent.search
    shown = understand(vocab, "cheaper ones?", Intent.refine, SHOWN)
    assert shown.intent is Intent.refine and shown.slots.price_change == "cheaper"


def test_a_constraint_only_search_refines_what_is_shown(vocab: CatalogVocabulary) -> None:
    assert understand(vocab, "in black?", Intent.search, SHOWN).intent is Intent.refine
    assert understand(vocab, "a grey sofa", Intent.search, SHOWN).intent is Intent.search


def test_a_question_that_changes_a_constraint_refines(vocab: CatalogVocabulary) -> None:
    turn = understand(vocab, "do you have it in 8x10?", Intent.ask_about, SHOWN)
    assert turn.intent is Intent.refine and turn.slots.sizes
    kept = understand(vocab, "what material is the second one?", Intent.ask_about, SHOWN)
    assert (
        kept.intent is Intent.ask_about and kept.reference.positions == [1] and kept.attribute == "material"
    )


def test_follow_up_phrasing_of_the_same_need_refines(vocab: CatalogVocabulary) -> None:
    assert understand(vocab, "any with a non-slip backing?", Intent.search, SHOWN).intent is Intent.refine
    assert understand(vocab, "what about sofas?", Intent.refine, SHOWN).intent is Intent.search  # new type


def test_a_catalog_identifier_is_a_search(vocab: CatalogVocabulary, sample_products) -> None:  # type: ignore[no-untyped-def]
    code = next(p.model_number for p in sample_products if p.model_number and "-" in p.model_number)
    turn = understand(vocab, f"do you have {code}?", Intent.service)
    assert turn.intent is Intent.search
    assert understand(vocab, "where is my order?", Intent.service).intent is Intent.service


def test_gift_recipients_are_not_search_words(vocab: CatalogVocabulary) -> None:
    turn = understand(vocab, "a present for my wife who loves to cook", Intent.search)
    assert turn.slots.gift and "wife" not in turn.residual_terms and "loves" not in turn.residual_terms


@pytest.mark.parametrize("text", ["😀😀😀", "!!!", "asdkjh qwpoeiru"])
def test_no_content_or_mashing_is_flagged(vocab: CatalogVocabulary, text: str) -> None:
    turn = understand(vocab, text, Intent.search)
    assert turn.gibberish or turn.intent is Intent.chit_chat


def test_frustration_is_read_from_the_text(vocab: CatalogVocabulary) -> None:
    turn = understand(vocab, "this is useless, you're not helping!!!", Intent.chit_chat, SHOWN)
    assert turn.frustrated and turn.sentiment < 0


class BatchSpy:
    """A base embedder that records its batches (what is tested is one pass for message + queries)."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def embed_base(self, texts: list[str]):  # type: ignore[no-untyped-def]
        import numpy as np

        self.batches.append(list(texts))
        return np.ones((len(texts), 4), dtype=np.float32)


class VectorIntent(FixedIntent):
    def __init__(self, intent: Intent) -> None:
        super().__init__(intent)
        self.embedder = BatchSpy()

    def predict(self, texts: list[str]) -> list[tuple[Intent, float, dict[str, float]]]:
        raise AssertionError("the message must be classified from the shared batch")

    def predict_vectors(self, vectors, texts):  # type: ignore[no-untyped-def]
        assert len(vectors) == len(texts) == 1
        return super().predict(list(texts))


class Collect:
    def __init__(self) -> None:
        self.received: list[str] = []

    def texts(self, slots: Slots, residual: list[str]) -> list[str]:
        return [" ".join([*residual, *slots.type_terms]), "hiking boots"]

    def receive(self, texts: list[str], base_vectors) -> None:  # type: ignore[no-untyped-def]
        assert len(texts) == len(base_vectors)
        self.received = list(texts)


def test_search_queries_are_embedded_in_the_message_batch(vocab: CatalogVocabulary) -> None:
    model = VectorIntent(Intent.search)
    sink = Collect()
    turn = TurnUnderstander(vocab, model).understand("waterproof hiking boots", None, sink)
    assert turn.intent is Intent.search
    assert len(model.embedder.batches) == 1 and model.embedder.batches[0][0] == "waterproof hiking boots"
    assert sink.received and sink.received == model.embedder.batches[0][1:]


def test_primed_vectors_serve_the_next_search() -> None:
    import numpy as np

    from ml.embedding.adapter import Adapter
    from ml.retrieval.engine import HybridSearcher

    class Embedder:
        model_version = "m+identity"
        adapter = Adapter.identity()
        dim = 4

        def embed(self, texts: list[str]) -> np.ndarray:
            raise AssertionError("a primed query must not be embedded again")

    searcher = HybridSearcher(None, None, Embedder())  # type: ignore[arg-type]
    searcher.prime_query_vectors(["hiking boot"], np.ones((1, 4), dtype=np.float32))
    assert np.allclose(searcher.embed_query("hiking boot"), 1.0)
