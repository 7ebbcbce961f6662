"""Builds the gateway's turn understander: the catalog vocabulary and the champion intent model.

The vocabulary is learned from the indexed catalog and cached under the data dir (rebuilt when
the index's product count changes). The intent model is the registry's ``champion``; on a fresh
embedded install with no champion yet, the committed labelled set is trained once through the
same promotion gate, so a first ``shoptalk up`` understands shoppers without a manual step.
"""

from __future__ import annotations

from pathlib import Path

from ml.catalog.product import Product
from ml.config import Settings
from ml.logging import get_logger
from ml.retrieval.engine import HybridSearcher
from ml.understanding.understand import IntentModel, TurnUnderstander
from ml.understanding.vocab import CatalogVocabulary

log = get_logger(__name__)
CHUNK = 500


def catalog_products(searcher: HybridSearcher) -> list[Product]:
    """Every indexed product (keyword half first; the vector half if it is the only one)."""
    for index in (searcher.keyword, searcher.vector):
        if index is None:
            continue
        try:
            ids = sorted(index.ids())
            products: list[Product] = []
            for start in range(0, len(ids), CHUNK):
                found = index.get(ids[start : start + CHUNK])
                products.extend(found[i] for i in ids[start : start + CHUNK] if i in found)
            if products:
                return products
        except Exception as exc:  # an index outage: try the other half
            log.warning("understanding.catalog_read_failed", index=index.name, error=str(exc))
    return []


def vocabulary_path(settings: Settings) -> Path:
    return settings.data_dir / "understanding" / "vocabulary.json"


def load_vocabulary(settings: Settings, searcher: HybridSearcher) -> CatalogVocabulary:
    path = vocabulary_path(settings)
    products = catalog_products(searcher)
    if path.exists():
        try:
            cached = CatalogVocabulary.load(path)
            if cached.product_count == len(products):
                return cached
        except Exception as exc:
            log.warning("understanding.vocabulary_unreadable", path=str(path), error=str(exc))
    vocab = CatalogVocabulary.from_products(products)
    try:
        vocab.save(path)
    except OSError as exc:
        log.warning("understanding.vocabulary_not_saved", path=str(path), error=str(exc))
    log.info("understanding.vocabulary_built", products=len(products), types=len(vocab.types))
    return vocab


def load_intent_model(settings: Settings) -> IntentModel | None:
    """The champion intent model, bootstrapped from the committed set when none exists."""
    from ml.training.intents import ensure_intent_model

    return ensure_intent_model(settings)


def build_understander(
    settings: Settings, searcher: HybridSearcher, intent_model: IntentModel | None = None
) -> TurnUnderstander:
    vocab = load_vocabulary(settings, searcher)
    model = intent_model if intent_model is not None else load_intent_model(settings)
    return TurnUnderstander(vocab, model)
