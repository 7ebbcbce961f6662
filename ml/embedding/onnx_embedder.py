"""``OnnxEmbedder``: a BERT-style ONNX encoder (bge-small-en-v1.5 INT8) behind the Embedder seam.

Tokenised with ``tokenizers`` (the folder's ``tokenizer.json``), run with onnxruntime, pooled
from ``last_hidden_state`` — CLS for bge (its training objective), mean over the attention mask
for models trained that way — then L2-normalised and passed through the adapter. Texts are
batched by length so padding stays small. Weights from the manifest are sha256-verified at load.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ml.embedding.adapter import Adapter
from ml.logging import get_logger

log = get_logger(__name__)
Pooling = Literal["cls", "mean"]


class OnnxEmbedder:
    def __init__(
        self,
        model_dir: str | Path,
        adapter: Adapter | None = None,
        batch_size: int = 32,
        threads: int = 1,
        max_tokens: int = 256,
        pooling: Pooling = "cls",
        name: str | None = None,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.adapter = adapter or Adapter.identity()
        self.batch_size = max(1, batch_size)
        self.threads = threads
        self.max_tokens = max_tokens
        self.pooling = pooling
        self.name = name or self.model_dir.name
        self._session: Any = None
        self._tokenizer: Any = None
        self._inputs: set[str] = set()
        self._dim = 0
        self._lock = threading.Lock()

    def load(self) -> OnnxEmbedder:
        with self._lock:
            if self._session is not None:
                return self
            import onnxruntime as ort
            from tokenizers import Tokenizer

            from ml.models.manifest import verify_known_folder

            verify_known_folder(self.model_dir)
            tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
            tokenizer.enable_truncation(max_length=self.max_tokens)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            session = ort.InferenceSession(
                str(self.model_dir / "model.onnx"), options, providers=["CPUExecutionProvider"]
            )
            output = session.get_outputs()[0]
            self._dim = int(output.shape[-1])
            self._inputs = {i.name for i in session.get_inputs()}
            self._tokenizer = tokenizer
            self._session = session
            log.info("onnx_embedder.loaded", model=self.name, dim=self._dim, pooling=self.pooling)
        return self

    @property
    def dim(self) -> int:
        self.load()
        return self._dim

    @property
    def model_version(self) -> str:
        return f"{self.name}+{self.adapter.version}"

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {
            "input_ids": np.asarray([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": mask,
            "token_type_ids": np.asarray([e.type_ids for e in encodings], dtype=np.int64),
        }
        (hidden,) = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[:1]
        if self.pooling == "cls":
            pooled = hidden[:, 0]
        else:
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def embed_base(self, texts: Sequence[str]) -> np.ndarray:
        self.load()
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths per batch
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            out[chunk] = self._run([texts[i] for i in chunk])
        return out

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.adapter.apply(self.embed_base(texts))
