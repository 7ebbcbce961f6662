"""The ``captioner`` model: images in, captions out.

v2 inputs:  ``image`` BYTES ``[-1]`` — JPEG/PNG/WebP file bytes (base64 over REST)
v2 params:  ``prompt`` (optional conditional-captioning prefix, e.g. "a photo of")
v2 outputs: ``caption`` BYTES ``[-1]``; response parameters ``model_version``
v1: ``{"instances": [{"b64": "..."}]}`` → ``{"predictions": ["caption", ...]}``
Corrupt, empty or oversized images → 400 with the reason.
"""

from __future__ import annotations

from typing import Any, ClassVar

from kserve.errors import InvalidInput
from kserve.protocol.infer_type import InferRequest, InferResponse
from PIL import Image

from ml.captioning.blip import BlipCaptioner
from ml.captioning.images import ImageError, decode_image
from ml.logging import get_logger
from services.common.model import V2Model
from services.common.tensors import (
    TensorSpec,
    binary_elements,
    build_response,
    bytes_output,
    check_inputs,
    decode_base64,
    string_parameter,
)

log = get_logger(__name__)
MODEL_NAME = "captioner"


class CaptionerModel(V2Model):
    inputs: ClassVar[tuple[TensorSpec, ...]] = (
        TensorSpec("image", "BYTES", (-1,), description="image files (JPEG, PNG, WebP, …)"),
    )
    outputs: ClassVar[tuple[TensorSpec, ...]] = (
        TensorSpec("caption", "BYTES", (-1,), description="captions"),
    )
    client_errors: ClassVar[tuple[type[Exception], ...]] = (ImageError,)

    def __init__(self, captioner: BlipCaptioner, name: str = MODEL_NAME, max_batch: int = 32) -> None:
        super().__init__(name, max_batch=max_batch)
        self.captioner = captioner

    def load(self) -> bool:
        self.captioner.load()
        self.ready = True
        log.info("captioner.ready", model_version=self.captioner.model_version)
        return self.ready

    def response_parameters(self) -> dict[str, Any]:
        return {"model_version": self.captioner.model_version}

    def _decode(self, blobs: list[bytes]) -> list[Image.Image]:
        images = []
        for i, blob in enumerate(blobs):
            try:
                images.append(decode_image(blob, self.captioner.max_image_bytes))
            except ImageError as exc:
                raise InvalidInput(f"image element {i}: {exc}") from exc
        return images

    def infer_v2(self, request: InferRequest) -> InferResponse:
        tensors = check_inputs(request, self.inputs)
        images = self._decode(binary_elements(tensors["image"], max_batch=self.max_batch))
        prompt = string_parameter(request, "prompt", max_chars=200)
        captions = self.captioner.caption_images(images, prompt=prompt)
        return build_response(
            request, self.name, [bytes_output("caption", captions)], self.response_parameters()
        )

    def infer_v1(self, instances: list[Any]) -> list[Any]:
        blobs = []
        for i, item in enumerate(instances):
            value = item.get("b64") if isinstance(item, dict) else item
            if not isinstance(value, str):
                raise InvalidInput(f'instance {i} must be base64 image or {{"b64": "..."}}')
            blobs.append(decode_base64(value, f"instance {i}"))
        return list(self.captioner.caption_images(self._decode(blobs)))


def build_model(settings: Any) -> CaptionerModel:
    return CaptionerModel(BlipCaptioner.from_settings(settings))
