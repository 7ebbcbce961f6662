"""The ``captioner`` model: images in, captions out.

v2 inputs:  ``image`` BYTES ``[-1]`` — JPEG/PNG/WebP file bytes (base64 over REST)
v2 params:  ``prompt`` (optional conditional-captioning prefix, e.g. "a photo of")
v2 outputs: ``caption`` BYTES ``[-1]``; response parameters ``model_version``
v1: ``{"instances": [{"b64": "..."}]}`` → ``{"predictions": ["caption", ...]}``
Corrupt, empty or oversized images → 400 with the reason.
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from kserve.protocol.infer_type import InferRequest, InferResponse
from PIL import Image

from ml.captioning.blip import BlipCaptioner
from ml.captioning.images import ImageError, decode_image
from services.common.model import V2Model
from services.common.tensors import (
    TensorSpec,
    binary_elements,
    binary_instances,
    build_response,
    bytes_output,
    check_inputs,
    each_element,
    string_parameter,
)

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
        super().__init__(name, max_batch=max_batch, backend=captioner)
        self.captioner = captioner

    def _decode(self, blobs: list[bytes]) -> list[Image.Image]:
        decode = partial(decode_image, max_bytes=self.captioner.max_image_bytes)
        return each_element(blobs, decode, (ImageError,), "image")

    def infer_v2(self, request: InferRequest) -> InferResponse:
        tensors = check_inputs(request, self.inputs)
        images = self._decode(binary_elements(tensors["image"], max_batch=self.max_batch))
        prompt = string_parameter(request, "prompt", max_chars=200)
        captions = self.captioner.caption_images(images, prompt=prompt)
        return build_response(
            request, self.name, [bytes_output("caption", captions)], self.response_parameters()
        )

    def infer_v1(self, instances: list[Any]) -> list[Any]:
        return list(self.captioner.caption_images(self._decode(binary_instances(instances, "image"))))


def build_model(settings: Any) -> CaptionerModel:
    return CaptionerModel(BlipCaptioner.from_settings(settings))
