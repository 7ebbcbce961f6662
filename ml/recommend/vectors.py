"""Item vectors for recommendation: the index's stored vector when it can return one, else the
product's document text re-embedded with the searcher's embedder (the same text ingestion
embedded, so the vector is the stored one up to the model version).

Re-embedding works with every :class:`~ml.retrieval.protocols.VectorIndex` backend without a
protocol change; vectors are cached per embedder version (a re-ingest with a new model changes
the version and so the cache key).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from ml.catalog.document import document_text
from ml.catalog.product import Product
from ml.embedding.protocol import Embedder


class ItemVectors:
    def __init__(self, embedder: Embedder, index: Any = None, size: int = 4096) -> None:
        self.embedder = embedder
        self.index = index
        self.size = size
        self._cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def _stored(self, ids: list[str]) -> dict[str, np.ndarray]:
        getter = getattr(self.index, "get_vectors", None) or getattr(self.index, "vectors", None)
        if not callable(getter):
            return {}
        try:
            found = getter(ids)
        except Exception:
            return {}
        return {k: np.asarray(v, dtype=np.float32) for k, v in dict(found).items()}

    def of(self, products: Sequence[Product]) -> np.ndarray:
        """``(len(products), dim)`` L2-normalised vectors, in order."""
        version = self.embedder.model_version
        out: list[np.ndarray | None] = []
        missing: list[int] = []
        with self._lock:
            for i, p in enumerate(products):
                hit = self._cache.get((version, p.item_id))
                if hit is not None:
                    self._cache.move_to_end((version, p.item_id))
                out.append(hit)
                if hit is None:
                    missing.append(i)
        if missing:
            stored = self._stored([products[i].item_id for i in missing])
            still = [i for i in missing if products[i].item_id not in stored]
            for i in missing:
                if products[i].item_id in stored:
                    out[i] = stored[products[i].item_id]
            if still:
                fresh = self.embedder.embed([document_text(products[i]) for i in still])
                for i, vec in zip(still, fresh, strict=True):
                    out[i] = np.asarray(vec, dtype=np.float32)
            with self._lock:
                for i in missing:
                    vec = out[i]
                    assert vec is not None
                    self._cache[(version, products[i].item_id)] = vec
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        if not products:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.vstack([v for v in out if v is not None]).astype(np.float32)
