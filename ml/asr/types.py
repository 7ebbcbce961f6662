"""Transcription results (plain dataclasses: shared by the model, the service and its client)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    language_probability: float = 0.0
    duration_s: float = 0.0
    segments: list[Segment] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        return cls(
            text=str(data.get("text", "")),
            language=str(data.get("language", "")),
            language_probability=float(data.get("language_probability", 0.0)),
            duration_s=float(data.get("duration_s", 0.0)),
            segments=[
                Segment(float(s["start"]), float(s["end"]), str(s["text"])) for s in data.get("segments", [])
            ],
        )
