"""Client of the ``captioner`` service: image bytes → captions. ``CaptionerClient`` implements
:class:`ml.ingest.pipeline.Captioner`, so ingestion can caption through the service."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ml.clients.errors import ServiceUnavailable
from ml.clients.v2 import AsyncV2Client, V2Client, binary_input, output_strings

MODEL_NAME = "captioner"


def _parameters(prompt: str | None) -> dict[str, Any] | None:
    return {"prompt": prompt} if prompt else None


def _parse(response: dict[str, Any], count: int) -> list[str]:
    captions = output_strings(response, "caption")
    if len(captions) != count:
        raise ServiceUnavailable(f"captioner returned {len(captions)} captions for {count} images")
    return captions


class CaptionerClient(V2Client):
    def __init__(self, base_url: str, model: str = MODEL_NAME, prompt: str | None = None, **kwargs: Any):
        super().__init__(base_url, model, **kwargs)
        self.prompt = prompt

    def caption(self, images: Sequence[bytes]) -> list[str]:
        if not images:
            return []
        return _parse(
            self.infer([binary_input("image", list(images))], _parameters(self.prompt)), len(images)
        )


class AsyncCaptionerClient(AsyncV2Client):
    def __init__(self, base_url: str, model: str = MODEL_NAME, prompt: str | None = None, **kwargs: Any):
        super().__init__(base_url, model, **kwargs)
        self.prompt = prompt

    async def caption(self, images: Sequence[bytes]) -> list[str]:
        if not images:
            return []
        response = await self.infer([binary_input("image", list(images))], _parameters(self.prompt))
        return _parse(response, len(images))
