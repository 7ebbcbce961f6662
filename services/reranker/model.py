"""The ``reranker`` model: a query and candidate documents in, one relevance score per document out.

v2 inputs:  ``query`` BYTES ``[1]`` (UTF-8); ``documents`` BYTES ``[N]`` (UTF-8 texts), or
            ``[1]`` holding a JSON-encoded list of strings
v2 outputs: ``scores`` FP32 ``[N]`` (cross-encoder logits, higher is more relevant);
            response parameters ``model_version``
v1: ``{"instances": [{"query": "...", "documents": ["...", ...]}]}`` → ``{"predictions": [[...]]}``

The service scores; it does not reorder. The caller (``ml.retrieval.rerank_remote``) builds the
document texts and applies the order, so the service stays thin and stateless.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import numpy as np
from kserve.errors import InvalidInput
from kserve.protocol.infer_type import InferRequest, InferResponse

from ml.retrieval.rerank import MAX_DOCUMENT_CHARS, MAX_QUERY_CHARS, CrossEncoderReranker
from services.common.model import V2Model
from services.common.tensors import TensorSpec, build_response, check_inputs, fp32_output, text_elements

MODEL_NAME = "reranker"
MAX_DOCUMENTS = 100
# Callers send rerank_document() texts (≤ 1,200 chars); leave room for other clients' wording.
MAX_CHARS = 4 * MAX_DOCUMENT_CHARS


def _documents(values: list[str]) -> list[str]:
    """Texts as sent, or the one JSON-encoded list some clients send instead."""
    if len(values) == 1 and values[0].lstrip().startswith("["):
        try:
            decoded = json.loads(values[0])
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"input 'documents' looks like JSON but does not parse: {exc}") from exc
        if not isinstance(decoded, list) or not all(isinstance(d, str) for d in decoded):
            raise InvalidInput("input 'documents' JSON must be a list of strings")
        if not decoded:
            raise InvalidInput("input 'documents' is an empty batch")
        values = decoded
    if len(values) > MAX_DOCUMENTS:
        raise InvalidInput(f"input 'documents' has {len(values)} elements; the limit is {MAX_DOCUMENTS}")
    for i, text in enumerate(values):
        if len(text) > MAX_CHARS:
            raise InvalidInput(f"input 'documents' element {i} has {len(text)} characters (> {MAX_CHARS})")
    return values


def _query(values: list[str]) -> str:
    if len(values) != 1:
        raise InvalidInput(f"input 'query' must hold exactly one string, got {len(values)}")
    query = values[0]
    if not query.strip():
        raise InvalidInput("input 'query' is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInput(f"input 'query' has {len(query)} characters (> {MAX_QUERY_CHARS})")
    return query


class RerankerModel(V2Model):
    inputs: ClassVar[tuple[TensorSpec, ...]] = (
        TensorSpec("query", "BYTES", (1,), description="the shopper's query (UTF-8)"),
        TensorSpec("documents", "BYTES", (-1,), description="candidate texts, or one JSON list of them"),
    )
    outputs: ClassVar[tuple[TensorSpec, ...]] = (
        TensorSpec("scores", "FP32", (-1,), description="relevance logit per document"),
    )

    def __init__(self, reranker: CrossEncoderReranker, name: str = MODEL_NAME) -> None:
        super().__init__(name, max_batch=MAX_DOCUMENTS, backend=reranker)
        self.reranker = reranker

    def warm_up(self) -> None:
        self.reranker.score("warm-up", ["warm-up document"], budget_ms=0)

    def _score(self, query: str, documents: list[str]) -> list[float]:
        # The service has no per-request budget of its own: the caller's HTTP timeout is it.
        return [float(s) for s in self.reranker.score(query, documents, budget_ms=0)]

    def infer_v2(self, request: InferRequest) -> InferResponse:
        tensors = check_inputs(request, self.inputs)
        query = _query(text_elements(tensors["query"], max_chars=MAX_QUERY_CHARS))
        documents = _documents(text_elements(tensors["documents"], max_chars=MAX_CHARS * MAX_DOCUMENTS))
        scores = np.asarray(self._score(query, documents), dtype=np.float32)
        return build_response(request, self.name, [fp32_output("scores", scores)], self.response_parameters())

    def infer_v1(self, instances: list[Any]) -> list[Any]:
        predictions = []
        for i, item in enumerate(instances):
            if not isinstance(item, dict):
                raise InvalidInput(f'instance {i} must be {{"query": "...", "documents": [...]}}')
            query, documents = item.get("query"), item.get("documents")
            if not isinstance(query, str) or not isinstance(documents, list) or not documents:
                raise InvalidInput(f"instance {i} needs a string 'query' and a non-empty 'documents' list")
            if not all(isinstance(d, str) for d in documents):
                raise InvalidInput(f"instance {i}: every document must be a string")
            predictions.append(self._score(_query([query]), _documents(documents)))
        return predictions


def build_model(settings: Any) -> RerankerModel:
    return RerankerModel(CrossEncoderReranker.from_settings(settings))
