"""The gateway's bounded, sampled log of query embeddings (the drift flow's "current" data).

Append-only JSON lines under ``SHOPTALK_DATA_DIR/drift/query_embeddings.jsonl``: a timestamp,
the model version and the vector (float16, base64). Raw query text is stored only when
``SHOPTALK_DRIFT_LOG_TEXT`` is on. A ``SHOPTALK_DRIFT_SAMPLE_RATE`` share of calls is logged;
when the file grows past 1.25 × ``SHOPTALK_DRIFT_LOG_MAX_RECORDS`` lines it is compacted to
the newest ``max_records`` (atomic replace under a file lock, so several gateway workers can
share it). A torn last line from a crash is skipped on read.

Usage in the gateway: ``QueryEmbeddingLog(settings).record(vector, text=None)``.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.config import Settings

COMPACT_FACTOR = 1.25


def query_log_path(settings: Settings) -> Path:
    return settings.data_dir / "drift" / "query_embeddings.jsonl"


@dataclass
class LoggedQuery:
    ts: float
    vector: np.ndarray
    model_version: str | None = None
    text: str | None = None


def encode_vector(vector: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vector, dtype=np.float16).tobytes()).decode("ascii")


def decode_vector(data: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(data), dtype=np.float16).astype(np.float32)


class QueryEmbeddingLog:
    def __init__(
        self,
        settings: Settings,
        path: Path | None = None,
        sample_rate: float | None = None,
        max_records: int | None = None,
        keep_text: bool | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.path = path or query_log_path(settings)
        self.sample_rate = settings.drift_sample_rate if sample_rate is None else sample_rate
        self.max_records = settings.drift_log_max_records if max_records is None else max_records
        self.keep_text = settings.drift_log_text if keep_text is None else keep_text
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._lines: int | None = None

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _count_lines(self) -> int:
        if not self.path.exists():
            return 0
        with open(self.path, "rb") as fh:
            return sum(1 for _ in fh)

    def record(
        self,
        vector: np.ndarray,
        text: str | None = None,
        model_version: str | None = None,
        force: bool = False,
    ) -> bool:
        """Log one query embedding if sampled; returns whether it was written. Never raises on I/O."""
        if not force and (self.sample_rate <= 0 or self._rng.random() >= self.sample_rate):
            return False
        array = np.asarray(vector, dtype=np.float32).reshape(-1)
        if array.size == 0 or not np.all(np.isfinite(array)):
            return False
        entry: dict[str, object] = {"ts": round(time.time(), 3), "v": encode_vector(array)}
        if model_version:
            entry["m"] = model_version
        if self.keep_text and text:
            entry["text"] = text[:500]
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        try:
            with self._lock, self._file_lock():
                if self._lines is None:
                    self._lines = self._count_lines()
                with open(self.path, "a", encoding="utf-8") as fh:
                    fh.write(line)
                self._lines += 1
                if self._lines > self.max_records * COMPACT_FACTOR:
                    self._compact()
        except OSError:
            return False
        return True

    def _compact(self) -> None:
        """Keep the newest ``max_records`` lines (caller holds the locks)."""
        with open(self.path, encoding="utf-8") as fh:
            lines = fh.readlines()
        keep = lines[-self.max_records :]
        tmp = self.path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text("".join(keep), encoding="utf-8")
        os.replace(tmp, self.path)
        self._lines = len(keep)

    def read(self, last: int | None = None) -> list[LoggedQuery]:
        """The newest ``last`` entries (all when None), oldest first; malformed lines skipped."""
        if not self.path.exists():
            return []
        with open(self.path, encoding="utf-8", errors="replace") as fh:
            lines = fh.readlines()
        if last is not None:
            lines = lines[-last:]
        out = []
        for line in lines:
            try:
                entry = json.loads(line)
                out.append(
                    LoggedQuery(
                        float(entry["ts"]), decode_vector(entry["v"]), entry.get("m"), entry.get("text")
                    )
                )
            except (ValueError, KeyError, TypeError):
                continue
        return out

    def vectors(self, last: int | None = None) -> np.ndarray:
        entries = self.read(last)
        if not entries:
            return np.zeros((0, 0), dtype=np.float32)
        dim = entries[-1].vector.shape[0]
        return np.stack([e.vector for e in entries if e.vector.shape[0] == dim])
