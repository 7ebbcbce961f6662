"""The per-process text-embedding cache: same vectors as the model, misses batched, bounded."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ml.embedding.text_cache import CachedBaseEmbedder


class CountingEmbedder:
    base_name = "counting"
    dim = 4

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed_base(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([[len(t), t.count("a"), 1.0, 0.0] for t in texts], dtype=np.float32).reshape(-1, 4)


def test_repeated_texts_skip_the_model_and_give_the_same_vectors() -> None:
    inner = CountingEmbedder()
    cached = CachedBaseEmbedder(inner)
    first = cached.embed_base(["cheaper ones?", "in black?"])
    again = cached.embed_base(["in black?", "a new one", "cheaper ones?"])
    assert inner.calls == [["cheaper ones?", "in black?"], ["a new one"]]  # only the miss, in one call
    np.testing.assert_array_equal(again[0], first[1])
    np.testing.assert_array_equal(again, inner.embed_base(["in black?", "a new one", "cheaper ones?"]))
    assert cached.hits == 2 and cached.misses == 3
    assert cached.dim == 4 and cached.base_name == "counting"  # everything else is the model's


def test_the_cache_is_bounded_least_recently_used_first() -> None:
    inner = CountingEmbedder()
    cached = CachedBaseEmbedder(inner, max_texts=2)
    cached.embed_base(["a", "b"])
    cached.embed_base(["a"])  # "a" is now the most recent
    cached.embed_base(["c"])  # evicts "b"
    inner.calls.clear()
    cached.embed_base(["a", "b", "c"])
    assert inner.calls == [["b"]]


def test_empty_batch() -> None:
    assert CachedBaseEmbedder(CountingEmbedder()).embed_base([]).shape == (0, 4)


def test_clear_forgets_every_vector() -> None:
    inner = CountingEmbedder()
    cached = CachedBaseEmbedder(inner)
    cached.embed_base(["a", "b"])
    cached.clear()
    cached.embed_base(["a", "b"])
    assert inner.calls == [["a", "b"], ["a", "b"]]
