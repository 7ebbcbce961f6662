"""Client of the ``asr`` service: audio bytes (WAV/MP3/OGG/WebM) → :class:`~ml.asr.types.Transcript`."""

from __future__ import annotations

import json
from typing import Any

from ml.asr.types import Segment, Transcript
from ml.clients.errors import ServiceUnavailable
from ml.clients.v2 import AsyncV2Client, V2Client, binary_input, output_array, output_strings

MODEL_NAME = "asr"


def _parameters(language: str | None) -> dict[str, Any] | None:
    return {"language": language} if language else None


def parse_transcripts(response: dict[str, Any]) -> list[Transcript]:
    texts = output_strings(response, "text")
    languages = output_strings(response, "language")
    segments = output_strings(response, "segments")
    durations = output_array(response, "duration").reshape(-1).tolist()
    if not (len(texts) == len(languages) == len(segments) == len(durations)):
        raise ServiceUnavailable("asr outputs have different lengths")
    out = []
    for text, language, seg_json, duration in zip(texts, languages, segments, durations, strict=True):
        segs = [Segment(float(s["start"]), float(s["end"]), str(s["text"])) for s in json.loads(seg_json)]
        out.append(Transcript(text=text, language=language, duration_s=float(duration), segments=segs))
    return out


class AsrClient(V2Client):
    def __init__(self, base_url: str, model: str = MODEL_NAME, **kwargs: Any) -> None:
        super().__init__(base_url, model, **kwargs)

    def transcribe(self, audio: bytes, language: str | None = None) -> Transcript:
        response = self.infer([binary_input("audio", [audio])], _parameters(language))
        return parse_transcripts(response)[0]


class AsyncAsrClient(AsyncV2Client):
    def __init__(self, base_url: str, model: str = MODEL_NAME, **kwargs: Any) -> None:
        super().__init__(base_url, model, **kwargs)

    async def transcribe(self, audio: bytes, language: str | None = None) -> Transcript:
        response = await self.infer([binary_input("audio", [audio])], _parameters(language))
        return parse_transcripts(response)[0]
