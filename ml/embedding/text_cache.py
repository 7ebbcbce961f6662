"""A per-process LRU of base-model embeddings by text, in front of an embedder's ``embed_base``.

Chat turns repeat themselves across shoppers ("cheaper ones?", "in black?", popular first
questions), and every turn embeds its message (plus the likely search queries) for the intent
model. The vectors are a pure function of (model, text), so a repeated text costs a dictionary
lookup instead of a MiniLM forward pass; only the misses of a batch go to the model, in one call.
Everything else (``dim``, ``model_version``, ``embed``, …) is the wrapped embedder's.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np


class CachedBaseEmbedder:
    def __init__(self, inner: Any, max_texts: int = 20_000) -> None:
        self.inner = inner
        self.max_texts = max_texts
        self.hits = 0
        self.misses = 0
        self._vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:  # only called for what this class does not define
        return getattr(self.inner, name)

    def _key(self, text: str) -> tuple[str, str]:
        return (str(getattr(self.inner, "base_name", "")), text)

    def embed_base(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        found: dict[int, np.ndarray] = {}
        with self._lock:
            for i, text in enumerate(texts):
                vector = self._vectors.get(self._key(text))
                if vector is not None:
                    self._vectors.move_to_end(self._key(text))
                    found[i] = vector
        missing = [i for i in range(len(texts)) if i not in found]
        if missing:
            fresh = np.asarray(self.inner.embed_base([texts[i] for i in missing]), dtype=np.float32)
            with self._lock:
                for row, i in enumerate(missing):
                    vector = fresh[row].copy()
                    vector.setflags(write=False)  # shared between callers: nobody mutates it
                    self._vectors[self._key(texts[i])] = found[i] = vector
                while len(self._vectors) > self.max_texts:
                    self._vectors.popitem(last=False)
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if not texts:
            return np.asarray(self.inner.embed_base([]), dtype=np.float32)
        return np.stack([found[i] for i in range(len(texts))])

    def clear(self) -> None:
        """Forget every cached vector (benchmarks that must pay for each embedding call this)."""
        with self._lock:
            self._vectors.clear()

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0
