"""Builds the gateway's turn understander: the catalog vocabulary and the champion intent model.

The vocabulary is learned from the indexed catalog and cached under the data dir (rebuilt when
the index's product count changes). The intent model is the registry's ``champion``; on a fresh
embedded install with no champion yet, the committed labelled set is trained once through the
same promotion gate, so a first ``shoptalk up`` understands shoppers without a manual step.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from ml.catalog.product import Product
from ml.config import Settings
from ml.embedding.sentence import SentenceEmbedder
from ml.embedding.text_cache import CachedBaseEmbedder
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


def _champion(settings: Settings, embedder: SentenceEmbedder | None) -> IntentModel | None:
    """The registry's champion, when a registry exists (looking never creates one)."""
    registry_exists = bool(settings.mlflow_tracking_uri) or (settings.data_dir / "mlflow.db").exists()
    if not registry_exists:
        return None
    try:
        from ml.understanding.intent_registry import load_champion_intent_model
    except ImportError:  # the gateway image has no MLflow: the bootstrap model serves
        return None
    try:
        return load_champion_intent_model(settings, embedder)
    except Exception as exc:  # a broken registry must not keep the gateway down
        log.warning("understanding.champion_unavailable", error=str(exc))
        return None


def bootstrap_intent_model(settings: Settings, embedder: SentenceEmbedder | None = None) -> IntentModel:
    """Train on the committed labelled set's train split, cached by the data's sha256."""
    import hashlib
    import json

    from ml.understanding.intent_model import IntentClassifier
    from ml.understanding.types import Intent

    data = Path(__file__).resolve().parents[2] / "ml" / "understanding" / "data" / "intents.jsonl"
    raw = data.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()[:16]
    folder = settings.resolved_models_dir / "intent-bootstrap" / digest
    if folder.is_dir():
        try:
            return IntentClassifier.load(folder, embedder)
        except Exception as exc:
            log.warning("understanding.bootstrap_cache_unreadable", path=str(folder), error=str(exc))
    rows = [json.loads(line) for line in raw.decode().splitlines() if line.strip()]
    train = [r for r in rows if r.get("split") == "train"]
    embedder = embedder or SentenceEmbedder()
    texts = [r["text"] for r in train]
    vectors = embedder.embed_base(texts)
    model = IntentClassifier.train(texts, vectors, [Intent(r["intent"]) for r in train], embedder=embedder)
    try:
        model.save(folder, extra_meta={"bootstrap": True, "data_sha256": digest})
    except OSError as exc:
        log.warning("understanding.bootstrap_not_cached", path=str(folder), error=str(exc))
    log.info("understanding.intent_bootstrap_trained", rows=len(train), cache=str(folder))
    return model


def load_intent_model(settings: Settings, embedder: SentenceEmbedder | None = None) -> IntentModel:
    """The registry's champion; with none (a fresh install), the model trained from the committed
    labelled set — ``shoptalk train intents`` evaluates, registers and promotes one.

    ``embedder`` (the searcher's in-process MiniLM, when it has one) is shared, not loaded twice.
    """
    champion = _champion(settings, embedder)
    if champion is not None:
        return champion
    log.info("understanding.no_champion", hint="run `shoptalk train intents` to register one")
    return bootstrap_intent_model(settings, embedder)


def build_understander(
    settings: Settings, searcher: HybridSearcher, intent_model: IntentModel | None = None
) -> TurnUnderstander:
    vocab = load_vocabulary(settings, searcher)
    shared = searcher.embedder if isinstance(searcher.embedder, SentenceEmbedder) else SentenceEmbedder()
    # every turn embeds its message for the intent model: repeated texts come from a per-process cache
    size = settings.text_embedding_cache
    cached = cast(SentenceEmbedder, CachedBaseEmbedder(shared, size)) if size else shared
    model = intent_model if intent_model is not None else load_intent_model(settings, cached)
    return TurnUnderstander(vocab, model)
