"""Session embeddings in Milvus: the ``shoptalk_sessions`` collection ("similar shoppers").

A session's embedding is the mean of its viewed items' vectors (L2-normalised); the row also
carries the session's items so neighbours' items become candidates. Same ``MilvusClient`` code
path as :mod:`ml.retrieval.milvus_index`: a path is Milvus Lite (the embedded engine, its own
file next to the product index, since Lite serves one file per process), an ``http(s)://`` URI a
server. Training writes the training sessions; the gateway only searches.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ml.logging import get_logger
from ml.retrieval.milvus_local import check_openable, is_local_uri
from ml.retrieval.protocols import IndexUnavailable

log = get_logger(__name__)
COLLECTION = "shoptalk_sessions"
MAX_ITEMS_CHARS = 8000
BATCH = 1000


class SessionIndex:
    def __init__(
        self,
        uri: str,
        dim: int,
        collection: str = COLLECTION,
        token: str | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        self.uri = uri
        self.dim = dim
        self.collection = collection
        self.token = token
        self.timeout_s = max(1, math.ceil(timeout_s))
        self.local = is_local_uri(uri)
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._connect()
            return self._client

    def _connect(self) -> Any:
        from pymilvus import DataType, MilvusClient

        logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
        if self.local:
            check_openable(self.uri)
        kwargs: dict[str, Any] = {"uri": self.uri, "timeout": self.timeout_s}
        if self.token:
            kwargs["token"] = self.token
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
                client = MilvusClient(**kwargs)
            if not client.has_collection(self.collection, timeout=self.timeout_s):
                schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
                schema.add_field("session_id", DataType.VARCHAR, is_primary=True, max_length=128)
                schema.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dim)
                schema.add_field("items", DataType.VARCHAR, max_length=MAX_ITEMS_CHARS + 16)
                params = client.prepare_index_params()
                params.add_index(
                    field_name="vector",
                    index_type="FLAT" if self.local else "HNSW",
                    metric_type="COSINE",
                    params={} if self.local else {"M": 16, "efConstruction": 200},
                )
                client.create_collection(
                    self.collection, schema=schema, index_params=params, timeout=self.timeout_s
                )
            else:
                client.load_collection(self.collection, timeout=self.timeout_s)
        except IndexUnavailable:
            raise
        except Exception as exc:
            raise IndexUnavailable(f"milvus sessions at {self.uri}: {exc}") from exc
        return client

    @staticmethod
    def _items_json(items: Sequence[str]) -> str:
        kept: list[str] = []
        for item in items:
            if len(json.dumps([*kept, item])) > MAX_ITEMS_CHARS:
                break
            kept.append(item)
        return json.dumps(kept)

    def upsert(self, session_ids: Sequence[str], vectors: np.ndarray, items: Sequence[Sequence[str]]) -> int:
        rows = [
            {
                "session_id": sid,
                "vector": np.asarray(v, dtype=np.float32).tolist(),
                "items": self._items_json(it),
            }
            for sid, v, it in zip(session_ids, vectors, items, strict=True)
        ]
        written = 0
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            try:
                self.client.upsert(self.collection, chunk, timeout=self.timeout_s * 6)
            except Exception as exc:
                raise IndexUnavailable(f"milvus sessions upsert failed: {exc}") from exc
            written += len(chunk)
        return written

    def search(self, vector: np.ndarray, n: int) -> list[tuple[list[str], float]]:
        """``(items, cosine similarity)`` of the ``n`` nearest stored sessions."""
        try:
            found = self.client.search(
                self.collection,
                data=[np.asarray(vector, dtype=np.float32).tolist()],
                limit=n,
                output_fields=["items"],
                search_params={"metric_type": "COSINE"},
                timeout=self.timeout_s,
            )
        except Exception as exc:
            raise IndexUnavailable(f"milvus sessions search failed: {exc}") from exc
        out = []
        for hit in found[0] if found else []:
            entity = hit.get("entity", {})
            out.append((list(json.loads(entity.get("items") or "[]")), float(hit.get("distance", 0.0))))
        return out

    def count(self) -> int:
        try:
            res = self.client.query(
                self.collection, filter="", output_fields=["count(*)"], timeout=self.timeout_s
            )
        except Exception as exc:
            raise IndexUnavailable(f"milvus sessions count failed: {exc}") from exc
        return int(res[0]["count(*)"]) if res else 0

    def clear(self) -> None:
        if self.client.has_collection(self.collection, timeout=self.timeout_s):
            self.client.drop_collection(self.collection, timeout=self.timeout_s)
        with self._lock:
            self._client = None

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            try:
                client.close()
            except Exception:
                log.debug("sessions.close_failed", exc_info=True)
