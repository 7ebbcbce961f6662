"""The ``asr`` model: audio files in, transcripts out.

v2 inputs:  ``audio`` BYTES ``[-1]`` — WAV/MP3/OGG-Opus/WebM file bytes (base64 over REST)
v2 params:  ``language`` (optional ISO code; unset: detect)
v2 outputs: ``text`` BYTES ``[-1]``, ``language`` BYTES ``[-1]``, ``segments`` BYTES ``[-1]``
            (JSON list of ``{start, end, text}``), ``duration`` FP32 ``[-1]`` (seconds)
v1: ``{"instances": [{"b64": "..."}], "parameters": ...}`` → ``{"predictions": [{text, language,
    segments, duration_s}]}``
Undecodable, empty, oversized or over-long audio → 400 with the reason.
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

import numpy as np
from kserve.errors import InvalidInput
from kserve.protocol.infer_type import InferRequest, InferResponse

from ml.asr.audio import AudioError
from ml.asr.transcriber import LanguageError, Transcriber
from ml.asr.types import Transcript
from services.common.model import V2Model
from services.common.tensors import (
    TensorSpec,
    binary_elements,
    binary_instances,
    build_response,
    bytes_output,
    check_inputs,
    each_element,
    fp32_output,
    json_output,
    string_parameter,
)

MODEL_NAME = "asr"


class AsrModel(V2Model):
    inputs: ClassVar[tuple[TensorSpec, ...]] = (
        TensorSpec("audio", "BYTES", (-1,), description="audio files (WAV, MP3, OGG/Opus, WebM)"),
    )
    outputs: ClassVar[tuple[TensorSpec, ...]] = (
        TensorSpec("text", "BYTES", (-1,), description="transcript"),
        TensorSpec("language", "BYTES", (-1,), description="detected or requested language"),
        TensorSpec("segments", "BYTES", (-1,), description='JSON [{"start","end","text"}]'),
        TensorSpec("duration", "FP32", (-1,), description="audio length in seconds"),
    )
    client_errors: ClassVar[tuple[type[Exception], ...]] = (AudioError, LanguageError)

    def __init__(self, transcriber: Transcriber, name: str = MODEL_NAME, max_batch: int = 8) -> None:
        super().__init__(name, max_batch=max_batch, backend=transcriber)
        self.transcriber = transcriber

    def _language(self, language: str | None) -> str | None:
        if language is not None and not (2 <= len(language) <= 8 and language.replace("-", "").isalpha()):
            raise InvalidInput(f"language {language!r} is not a language code")
        return language

    def _transcribe_all(self, blobs: list[bytes], language: str | None) -> list[Transcript]:
        transcribe = partial(self.transcriber.transcribe_bytes, language=language)
        return each_element(blobs, transcribe, (AudioError,), "audio")

    def infer_v2(self, request: InferRequest) -> InferResponse:
        tensors = check_inputs(request, self.inputs)
        blobs = binary_elements(tensors["audio"], max_batch=self.max_batch)
        language = self._language(string_parameter(request, "language", max_chars=16))
        results = self._transcribe_all(blobs, language)
        outputs = [
            bytes_output("text", [r.text for r in results]),
            bytes_output("language", [r.language for r in results]),
            json_output("segments", [[s.__dict__ for s in r.segments] for r in results]),
            fp32_output("duration", np.array([r.duration_s for r in results], dtype=np.float32)),
        ]
        return build_response(request, self.name, outputs, self.response_parameters())

    def infer_v1(self, instances: list[Any]) -> list[Any]:
        blobs = binary_instances(instances, "audio")
        languages = [
            i["language"] for i in instances if isinstance(i, dict) and isinstance(i.get("language"), str)
        ]
        results = self._transcribe_all(blobs, self._language(languages[-1] if languages else None))
        return [r.as_dict() for r in results]


def build_model(settings: Any) -> AsrModel:
    return AsrModel(Transcriber.from_settings(settings))
