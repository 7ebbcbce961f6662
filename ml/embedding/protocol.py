"""The embedder seam: in-process sentence-transformer, or the KServe ``embedder`` service."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


class EmbedderUnavailable(RuntimeError):
    """The embedding model or service cannot serve; search degrades to keyword-only."""


@runtime_checkable
class Embedder(Protocol):
    @property
    def dim(self) -> int: ...

    @property
    def model_version(self) -> str:
        """Identifies base model + adapter, stored on every indexed document."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 array of shape ``(len(texts), dim)``."""
        ...
