"""Client of the ``embedder`` service: texts → (normalised FP32 vectors, model version)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ml.clients.errors import ServiceUnavailable
from ml.clients.v2 import AsyncV2Client, V2Client, output_array, text_input

MODEL_NAME = "embedder"


@dataclass(frozen=True)
class Embeddings:
    vectors: np.ndarray
    model_version: str


def _parse(response: dict[str, Any], count: int) -> Embeddings:
    vectors = output_array(response, "embedding").astype(np.float32, copy=False)
    if vectors.ndim != 2 or vectors.shape[0] != count:
        raise ServiceUnavailable(f"embedder returned shape {vectors.shape} for {count} texts")
    version = str((response.get("parameters") or {}).get("model_version", "unknown"))
    return Embeddings(vectors, version)


def metadata_dim(metadata: dict[str, Any]) -> int | None:
    """The embedding width from model metadata (``outputs[embedding].shape[-1]``), if declared."""
    for output in metadata.get("outputs", []):
        if output.get("name") == "embedding":
            shape = output.get("shape") or []
            if shape and int(shape[-1]) > 0:
                return int(shape[-1])
    return None


class EmbedderClient(V2Client):
    def __init__(self, base_url: str, model: str = MODEL_NAME, **kwargs: Any) -> None:
        super().__init__(base_url, model, **kwargs)

    def embed(self, texts: Sequence[str]) -> Embeddings:
        return _parse(self.infer([text_input("text", list(texts))]), len(texts))


class AsyncEmbedderClient(AsyncV2Client):
    def __init__(self, base_url: str, model: str = MODEL_NAME, **kwargs: Any) -> None:
        super().__init__(base_url, model, **kwargs)

    async def embed(self, texts: Sequence[str]) -> Embeddings:
        return _parse(await self.infer([text_input("text", list(texts))]), len(texts))
