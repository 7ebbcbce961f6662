"""Shared by the intent tests: the committed set embedded once per process with the real MiniLM."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import cast

import numpy as np

from ml.embedding.sentence import SentenceEmbedder
from ml.understanding.intent_data import IntentExample, load_examples


@lru_cache(maxsize=1)
def real_embedder() -> SentenceEmbedder:
    return SentenceEmbedder(threads=1)


class CachingEmbedder:
    """The real embedder with a memo, so several trainings in one test run embed each text once."""

    def __init__(self, inner: SentenceEmbedder) -> None:
        self.inner = inner
        self.memo: dict[str, np.ndarray] = {}
        self.calls = 0

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def base_name(self) -> str:
        return self.inner.base_name

    def embed_base(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if missing:
            self.calls += 1
            for text, vector in zip(missing, self.inner.embed_base(missing), strict=True):
                self.memo[text] = vector
        return np.stack([self.memo[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)


_CACHING: list[CachingEmbedder] = []


def caching_embedder() -> SentenceEmbedder:
    """One memoising embedder per process (typed as the embedder it stands in for)."""
    if not _CACHING:
        _CACHING.append(CachingEmbedder(real_embedder()))
    return cast(SentenceEmbedder, _CACHING[0])


@lru_cache(maxsize=1)
def committed() -> tuple[list[IntentExample], np.ndarray]:
    """The committed rows and their base embeddings (embedded once per test process)."""
    rows = load_examples()
    embedder = caching_embedder()
    _ = embedder.dim
    vectors = np.concatenate(
        [embedder.embed_base([r.text for r in rows[i : i + 256]]) for i in range(0, len(rows), 256)]
    )
    return rows, vectors
