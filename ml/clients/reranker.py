"""Client of the ``reranker`` service: (query, documents) → FP32 relevance scores, one per document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ml.clients.errors import ServiceUnavailable
from ml.clients.v2 import AsyncV2Client, V2Client, output_array, text_input

MODEL_NAME = "reranker"


def rerank_inputs(query: str, documents: Sequence[str]) -> list[dict[str, Any]]:
    return [text_input("query", [query]), text_input("documents", list(documents))]


def parse_scores(response: dict[str, Any], count: int) -> np.ndarray:
    scores = output_array(response, "scores").astype(np.float32, copy=False).reshape(-1)
    if scores.shape[0] != count:
        raise ServiceUnavailable(f"reranker returned {scores.shape[0]} scores for {count} documents")
    return scores


class RerankerClient(V2Client):
    def __init__(self, base_url: str, model: str = MODEL_NAME, **kwargs: Any) -> None:
        super().__init__(base_url, model, **kwargs)

    def score(self, query: str, documents: Sequence[str]) -> np.ndarray:
        return parse_scores(self.infer(rerank_inputs(query, documents)), len(documents))


class AsyncRerankerClient(AsyncV2Client):
    def __init__(self, base_url: str, model: str = MODEL_NAME, **kwargs: Any) -> None:
        super().__init__(base_url, model, **kwargs)

    async def score(self, query: str, documents: Sequence[str]) -> np.ndarray:
        return parse_scores(await self.infer(rerank_inputs(query, documents)), len(documents))
