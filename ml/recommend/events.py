"""The interaction log: views, asks and add-to-cart events as bounded JSONL under the data dir.

The gateway appends (``POST /v1/events`` and the session's shown/asked items); ranker training
and demand forecasting read it. When the file passes ``max_bytes`` the older half is dropped.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

from ml.recommend.synthetic import Event

EVENT_KINDS = ("view", "ask", "add_to_cart", "query")
MAX_BYTES = 20_000_000


class InteractionLog:
    def __init__(self, path: Path, max_bytes: int = MAX_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._lock = threading.Lock()

    @classmethod
    def in_data_dir(cls, data_dir: Path, max_bytes: int = MAX_BYTES) -> InteractionLog:
        return cls(data_dir / "interactions" / "events.jsonl", max_bytes)

    def append(self, event: Event) -> None:
        line = json.dumps(event.as_dict(), sort_keys=True) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line)
            if self.path.stat().st_size > self.max_bytes:
                self._truncate()

    def _truncate(self) -> None:
        lines = self.path.read_text(encoding="utf-8").splitlines(keepends=True)
        keep = lines[len(lines) // 2 :]
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("".join(keep), encoding="utf-8")
        tmp.replace(self.path)

    def read(self) -> list[Event]:
        if not self.path.is_file():
            return []
        out = []
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    d = json.loads(line)
                    out.append(Event(**{k: d.get(k) for k in Event.__dataclass_fields__}))
                except (ValueError, TypeError):
                    continue  # a torn line from a crash
        return out


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
