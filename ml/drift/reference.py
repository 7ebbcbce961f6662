"""Reference query embeddings: the catalog's generated shopper queries, embedded by the serving model.

Cached at ``SHOPTALK_DATA_DIR/drift/reference.npz`` with the model version and catalog, and
rebuilt when either changes (a new champion changes what "normal" looks like).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ml.catalog.reader import read_catalog
from ml.config import Settings
from ml.embedding.protocol import Embedder
from ml.training.queries import generate_queries


def reference_path(settings: Settings) -> Path:
    return settings.data_dir / "drift" / "reference.npz"


def reference_texts(catalog: str, limit: int | None = None, per_product: int = 2) -> list[str]:
    products = read_catalog(catalog, limit=limit).products
    return [q.text for q in generate_queries(products, per_product=per_product, seed=7)]


def load_or_build_reference(
    settings: Settings, embedder: Embedder, catalog: str, limit: int | None = None, rebuild: bool = False
) -> tuple[np.ndarray, bool]:
    """``(vectors, rebuilt)``."""
    path = reference_path(settings)
    key = f"{embedder.model_version}|{catalog}|{limit}"
    if path.exists() and not rebuild:
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) == key:
                return np.asarray(data["vectors"], dtype=np.float32), False
    vectors = embedder.embed(reference_texts(catalog, limit))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("reference.tmp.npz")
    np.savez(tmp, vectors=vectors, key=np.array(key))
    tmp.replace(path)
    return vectors, True
