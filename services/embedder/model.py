"""The ``embedder`` model: texts in, L2-normalised FP32 vectors out, model version in parameters.

v2 inputs:  ``text``  BYTES ``[-1]`` (UTF-8)
v2 outputs: ``embedding`` FP32 ``[-1, dim]``; response parameters ``model_version``, ``dim``
v1: ``{"instances": ["text", {"text": "..."}]}`` → ``{"predictions": [[...]], ...}``
"""

from __future__ import annotations

from typing import Any, ClassVar

from kserve.errors import InvalidInput
from kserve.protocol.infer_type import InferRequest, InferResponse

from ml.embedding.protocol import Embedder
from ml.logging import get_logger
from services.common.model import V2Model
from services.common.tensors import TensorSpec, build_response, check_inputs, fp32_output, text_elements

log = get_logger(__name__)
MODEL_NAME = "embedder"
MAX_TEXT_CHARS = 20_000


class EmbedderModel(V2Model):
    inputs: ClassVar[tuple[TensorSpec, ...]] = (
        TensorSpec("text", "BYTES", (-1,), description="UTF-8 texts to embed"),
    )
    outputs: ClassVar[tuple[TensorSpec, ...]] = (
        TensorSpec("embedding", "FP32", (-1, -1), description="L2-normalised vectors, [N, dim]"),
    )

    def __init__(self, embedder: Embedder, name: str = MODEL_NAME, max_batch: int = 256) -> None:
        super().__init__(name, max_batch=max_batch)
        self.embedder = embedder
        self.dim = 0

    def get_output_types(self) -> list[dict[str, Any]]:
        return [{"name": "embedding", "datatype": "FP32", "shape": [-1, self.dim or -1]}]

    def load(self) -> bool:
        self.dim = int(self.embedder.dim)  # loads the model
        self.embedder.embed(["warm-up"])
        self.ready = True
        log.info("embedder.loaded", model_version=self.embedder.model_version, dim=self.dim)
        return self.ready

    def response_parameters(self) -> dict[str, Any]:
        return {"model_version": self.embedder.model_version, "dim": self.dim}

    def infer_v2(self, request: InferRequest) -> InferResponse:
        tensors = check_inputs(request, self.inputs)
        texts = text_elements(tensors["text"], max_batch=self.max_batch, max_chars=MAX_TEXT_CHARS)
        vectors = self.embedder.embed(texts)
        return build_response(
            request, self.name, [fp32_output("embedding", vectors)], self.response_parameters()
        )

    def infer_v1(self, instances: list[Any]) -> list[Any]:
        texts: list[str] = []
        for i, item in enumerate(instances):
            text = item.get("text") if isinstance(item, dict) else item
            if not isinstance(text, str):
                raise InvalidInput(f'instance {i} must be a string or {{"text": "..."}}')
            if len(text) > MAX_TEXT_CHARS:
                raise InvalidInput(f"instance {i} has {len(text)} characters (> {MAX_TEXT_CHARS})")
            texts.append(text)
        return [vector.tolist() for vector in self.embedder.embed(texts)]


def build_model(settings: Any) -> EmbedderModel:
    from ml.embedding.choice import build_local_embedder

    return EmbedderModel(build_local_embedder(settings))  # the configured model (SHOPTALK_EMBEDDING_MODEL)
