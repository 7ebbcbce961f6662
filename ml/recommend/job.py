"""``shoptalk train recommender`` as a function: events → embeddings → train → gate → install.

Events are the committed synthetic sessions (``ml/sample/sessions/events.jsonl.gz``, regenerated
when the catalog is not the sample) plus whatever the gateway logged. On promotion the training
sessions' embeddings are written to the Milvus ``shoptalk_sessions`` collection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ml.catalog.document import document_text
from ml.catalog.product import Product
from ml.config import Settings
from ml.embedding.protocol import Embedder
from ml.logging import get_logger
from ml.paths import PACKAGE_ROOT
from ml.recommend.events import InteractionLog
from ml.recommend.registry import load_champion, log_and_gate
from ml.recommend.session_index import COLLECTION, SessionIndex
from ml.recommend.synthetic import Event, generate_sessions, read_events
from ml.recommend.training import train_recommender
from ml.retrieval.protocols import IndexUnavailable

log = get_logger(__name__)
SAMPLE_SESSIONS = PACKAGE_ROOT / "sample" / "sessions" / "events.jsonl.gz"
SAMPLE_SEED = 13
SAMPLE_SESSION_COUNT = 1500


def session_index_for(settings: Settings, dim: int) -> SessionIndex:
    """The server's ``shoptalk_sessions`` collection, or a Milvus Lite file in the data dir."""
    if settings.milvus_uri:
        token = settings.milvus_token.get_secret_value() if settings.milvus_token else None
        return SessionIndex(settings.milvus_uri, dim, COLLECTION, token)
    return SessionIndex(str(settings.data_dir / "milvus_sessions.db"), dim)


def training_events(
    settings: Settings, products: list[Product], n_sessions: int, seed: int, use_sample: bool
) -> tuple[list[Event], str]:
    if (
        use_sample
        and SAMPLE_SESSIONS.is_file()
        and n_sessions == SAMPLE_SESSION_COUNT
        and seed == SAMPLE_SEED
    ):
        events, source = read_events(SAMPLE_SESSIONS), "committed synthetic sessions"
    else:
        events, source = generate_sessions(products, n_sessions, seed=seed), "generated synthetic sessions"
    known = {p.item_id for p in products}
    logged = [
        e for e in InteractionLog.in_data_dir(settings.data_dir).read() if not e.item_id or e.item_id in known
    ]
    if logged:
        source += f" + {len(logged)} logged events"
    return events + logged, source


def train_and_register(
    settings: Settings,
    products: list[Product],
    embedder: Embedder,
    *,
    n_sessions: int = SAMPLE_SESSION_COUNT,
    seed: int = SAMPLE_SEED,
    use_sample: bool = True,
    num_boost_round: int = 120,
    tracking_uri: str | None = None,
) -> dict[str, Any]:
    events, source = training_events(settings, products, n_sessions, seed, use_sample)
    matrix = np.asarray(embedder.embed([document_text(p) for p in products]), dtype=np.float32)
    champion = load_champion(settings.data_dir)
    result = train_recommender(
        events, products, matrix, seed=seed, num_boost_round=num_boost_round, champion=champion
    )
    result.model.meta["embedding_model"] = embedder.model_version
    uri = tracking_uri or settings.resolved_mlflow_uri
    root = (
        (settings.data_dir / "mlartifacts").resolve()
        if "://" not in uri or uri.startswith("sqlite")
        else None
    )
    registered = log_and_gate(result, uri, settings.data_dir, root)
    sessions_written, sessions_error = 0, None
    if registered.decision.promote and result.session_vecs is not None and len(result.session_ids):
        index = session_index_for(settings, matrix.shape[1])
        try:
            index.clear()
            sessions_written = index.upsert(result.session_ids, result.session_vecs, result.session_items)
        except IndexUnavailable as exc:  # e.g. a running gateway holds the Milvus Lite file
            sessions_error = str(exc)
            log.warning("recommender.sessions_not_indexed", error=sessions_error[:300])
        finally:
            index.close()
    return {
        "events": len(events),
        "events_source": source,
        "metrics": result.metrics,
        "sessions_indexed": sessions_written,
        "sessions_error": sessions_error,
        **registered.as_dict(),
    }


def write_sample_sessions(products: list[Product], path: Path = SAMPLE_SESSIONS) -> Path:
    from ml.recommend.synthetic import write_events

    return write_events(generate_sessions(products, SAMPLE_SESSION_COUNT, seed=SAMPLE_SEED), path)
