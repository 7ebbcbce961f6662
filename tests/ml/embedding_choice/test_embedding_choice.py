"""SHOPTALK_EMBEDDING_MODEL picks the in-process embedder; bge-small runs as ONNX (CLS pooling)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ml.config import Settings
from ml.embedding.choice import build_local_embedder
from ml.embedding.onnx_embedder import OnnxEmbedder
from ml.embedding.protocol import Embedder
from ml.embedding.sentence import SentenceEmbedder
from ml.models.manifest import WeightsCorrupt, WeightsMissing, get_spec
from tests.fakes.weights import MODELS_DIR, weights_dir


@pytest.fixture(scope="module")
def bge() -> OnnxEmbedder:
    weights_dir("bge-small")
    embedder = build_local_embedder(Settings(embedding_model="bge-small", models_dir=MODELS_DIR))
    assert isinstance(embedder, OnnxEmbedder)
    return embedder


def test_bge_small_is_normalised_384d_and_ranks_by_meaning(bge: OnnxEmbedder) -> None:
    assert isinstance(bge, Embedder)
    assert bge.dim == 384 and bge.pooling == "cls"
    assert bge.model_version == "bge-small-en-v1.5-int8+identity"
    vectors = bge.embed(
        [
            "insulated water bottle",
            "Stainless steel vacuum flask keeps drinks cold for 24 hours",
            "Shockproof clear case for iPhone 12",
        ]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.05
    assert bge.embed([]).shape == (0, 384)


def test_batching_by_length_keeps_input_order(bge: OnnxEmbedder) -> None:
    texts = ["a much longer text about oak dining tables and chairs " * 3, "red shoe", "blue phone case"]
    together = bge.embed(texts)
    alone = np.vstack([bge.embed([t]) for t in texts])
    # INT8 dynamic quantisation scales activations per batch, so padding moves vectors a little;
    # a mixed-up order would put cosines near 0.5, not near 1.
    cosines = (together * alone).sum(axis=1)
    assert cosines.min() > 0.99, cosines


def test_minilm_is_the_default_and_paths_choose_by_content(tmp_path: Path) -> None:
    default = build_local_embedder(Settings(data_dir=tmp_path))
    assert isinstance(default, SentenceEmbedder) and default.model_version == "all-MiniLM-L6-v2+identity"
    by_path = build_local_embedder(Settings(embedding_model=str(weights_dir("bge-small"))))
    assert isinstance(by_path, OnnxEmbedder) and by_path.model_version.startswith("bge-small-en-v1.5-int8")
    with pytest.raises(ValueError, match="neither minilm"):
        build_local_embedder(Settings(embedding_model=str(tmp_path / "nope")))


def test_named_models_need_fetched_verified_weights(tmp_path: Path) -> None:
    with pytest.raises(WeightsMissing, match="weights fetch mpnet"):
        build_local_embedder(Settings(embedding_model="mpnet", models_dir=tmp_path))
    spec = get_spec("bge-small")
    copy = tmp_path / spec.model
    copy.mkdir()
    for rel in spec.files:
        (copy / rel).symlink_to(weights_dir("bge-small") / rel)
    (copy / "config.json").unlink()
    (copy / "config.json").write_text("{}")
    with pytest.raises(WeightsCorrupt, match=r"config\.json"):
        build_local_embedder(Settings(embedding_model="bge-small", models_dir=tmp_path))


@pytest.mark.slow
def test_mpnet_from_the_fetched_folder_names_itself() -> None:
    weights_dir("mpnet")
    mpnet = build_local_embedder(Settings(embedding_model="mpnet", models_dir=MODELS_DIR))
    assert isinstance(mpnet, SentenceEmbedder)
    assert mpnet.model_version == "all-mpnet-base-v2+identity" and mpnet.dim == 768
    vectors = mpnet.embed(["insulated water bottle", "vacuum flask for cold drinks", "iphone case"])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
