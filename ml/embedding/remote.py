"""``RemoteEmbedder``: the :class:`~ml.embedding.protocol.Embedder` seam backed by the KServe
``embedder`` service.

``dim`` comes from the model metadata (or the first call); ``model_version`` from the
``parameters`` of the latest response, so a service that restarts with a new adapter is
noticed. Any outage — connection refused, timeouts, 5xx, an open circuit breaker — raises
:class:`EmbedderUnavailable`, which makes hybrid search degrade to keyword-only.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from ml.clients.embedder import EmbedderClient, metadata_dim
from ml.clients.errors import ServiceRequestError, ServiceUnavailable
from ml.clients.v2 import breaker_from_settings, retry_from_settings
from ml.embedding.protocol import EmbedderUnavailable

_PROBE = "shoptalk embedder probe"


class RemoteEmbedder:
    def __init__(
        self,
        url: str,
        timeout_s: float = 10.0,
        model: str = "embedder",
        client: EmbedderClient | None = None,
        settings: Any = None,
    ) -> None:
        if client is None:
            if settings is None:
                from ml.config import get_settings

                settings = get_settings()
            client = EmbedderClient(
                url,
                model,
                timeout_s=timeout_s,
                retry=retry_from_settings(settings),
                breaker=breaker_from_settings(settings),
            )
        self.client = client
        self.url = url
        self._dim: int | None = None
        self._version: str | None = None
        self._lock = threading.Lock()

    def _call(self, texts: Sequence[str]) -> np.ndarray:
        try:
            result = self.client.embed(texts)
        except ServiceUnavailable as exc:
            raise EmbedderUnavailable(str(exc)) from exc
        except ServiceRequestError as exc:
            if exc.status in (404, 503):  # model missing or not loaded: an outage for search
                raise EmbedderUnavailable(str(exc)) from exc
            raise
        with self._lock:
            self._version = result.model_version
            self._dim = int(result.vectors.shape[1])
        return result.vectors

    @property
    def dim(self) -> int:
        if self._dim is None:
            try:
                declared = metadata_dim(self.client.metadata())
            except ServiceUnavailable as exc:
                raise EmbedderUnavailable(str(exc)) from exc
            if declared:
                self._dim = declared
            else:
                self._call([_PROBE])
        assert self._dim is not None
        return self._dim

    @property
    def model_version(self) -> str:
        if self._version is None:
            self._call([_PROBE])
        assert self._version is not None
        return self._version

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._call(list(texts))

    def ready(self) -> bool:
        return self.client.ready()

    def close(self) -> None:
        self.client.close()
