"""BLIP captioning (``BlipForConditionalGeneration`` + ``BlipProcessor``) loaded from a folder.

transformers 5 removed the image-to-text pipeline, so this calls ``generate`` directly. With a
``prompt`` (e.g. "a photo of") BLIP does conditional captioning and the prompt is stripped
from the output. Implements :class:`ml.ingest.pipeline.Captioner` (``caption(images: bytes)``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from ml.captioning.images import decode_image
from ml.logging import get_logger

log = get_logger(__name__)


class BlipCaptioner:
    def __init__(
        self,
        model_path: str | Path,
        prompt: str | None = None,
        max_new_tokens: int = 30,
        threads: int = 1,
        max_image_bytes: int | None = 10_000_000,
        num_beams: int = 1,
    ) -> None:
        self.model_path = Path(model_path)
        self.prompt = prompt
        self.max_new_tokens = max_new_tokens
        self.threads = threads
        self.max_image_bytes = max_image_bytes
        self.num_beams = num_beams
        self._model: Any = None
        self._processor: Any = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Any) -> BlipCaptioner:
        if not settings.captioner_model_path:
            raise FileNotFoundError("no captioner model configured (SHOPTALK_CAPTIONER_MODEL_PATH)")
        return cls(
            settings.captioner_model_path,
            prompt=settings.caption_prompt,
            max_new_tokens=settings.caption_max_new_tokens,
            threads=settings.torch_threads,
            max_image_bytes=settings.image_max_bytes,
        )

    @property
    def model_version(self) -> str:
        return f"blip:{self.model_path.name}"

    def load(self) -> None:
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            if not (self.model_path / "config.json").is_file():
                raise FileNotFoundError(f"no BLIP model (config.json) in {self.model_path}")
            from ml.embedding.sentence import configure_torch_threads

            configure_torch_threads(self.threads)
            from transformers import BlipForConditionalGeneration, BlipProcessor

            self._processor = BlipProcessor.from_pretrained(str(self.model_path), local_files_only=True)
            self._model = BlipForConditionalGeneration.from_pretrained(
                str(self.model_path), local_files_only=True
            ).eval()
            log.info("captioner.model.loaded", path=str(self.model_path))

    def caption_images(self, images: Sequence[Image.Image], prompt: str | None = None) -> list[str]:
        if not images:
            return []
        self.load()
        import torch

        prompt = prompt if prompt is not None else self.prompt
        with self._lock:
            if prompt:
                inputs = self._processor(
                    images=list(images), text=[prompt] * len(images), return_tensors="pt"
                )
            else:
                inputs = self._processor(images=list(images), return_tensors="pt")
            with torch.inference_mode():
                ids = self._model.generate(
                    **inputs, max_new_tokens=self.max_new_tokens, num_beams=self.num_beams, do_sample=False
                )
            texts = self._processor.batch_decode(ids, skip_special_tokens=True)
        return [self._clean(text, prompt) for text in texts]

    @staticmethod
    def _clean(text: str, prompt: str | None) -> str:
        text = " ".join(text.split())
        if prompt and text.lower().startswith(prompt.lower()):
            text = text[len(prompt) :].strip()
        return text

    def caption(self, images: Sequence[bytes]) -> list[str]:
        decoded = [decode_image(data, self.max_image_bytes) for data in images]
        return self.caption_images(decoded)
