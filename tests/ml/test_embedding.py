from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import torch

from ml.embedding.adapter import IDENTITY_VERSION, ResidualAdapter, load_adapter, save_adapter
from ml.embedding.protocol import Embedder
from ml.embedding.sentence import SentenceEmbedder


def test_first_call_may_be_embed_and_vectors_are_normalised() -> None:
    embedder = SentenceEmbedder(threads=1)  # fresh: embed() must load the model itself
    box: dict[str, np.ndarray] = {}
    worker = threading.Thread(target=lambda: box.setdefault("v", embedder.embed(["red shoes", "blue lamp"])))
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "embed() deadlocked on first use"
    vectors = box["v"]
    assert isinstance(embedder, Embedder)
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.model_version == f"all-MiniLM-L6-v2+{IDENTITY_VERSION}"
    assert embedder.embed([]).shape == (0, 384)


def test_adapter_starts_as_identity_and_round_trips(tmp_path: Path) -> None:
    module = ResidualAdapter(4)
    x = torch.nn.functional.normalize(torch.randn(3, 4), dim=-1)
    assert torch.allclose(module(x), x, atol=1e-6)
    with torch.no_grad():
        module.linear.weight.add_(torch.eye(4) * 0.5)
    version = save_adapter(module, tmp_path / "adapter", {"base_model": "test"})
    loaded = load_adapter(str(tmp_path / "adapter"))
    assert loaded.version == version and version.startswith("adapter-")
    assert loaded.meta["base_model"] == "test"
    out = loaded.apply(x.numpy())
    assert np.allclose(out, module(x).detach().numpy(), atol=1e-6)
    assert load_adapter(None).is_identity
