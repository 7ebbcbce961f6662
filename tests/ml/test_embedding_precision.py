"""bf16 autocast where the CPU has it, length-sorted batches, and the precision setting."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ml.catalog.document import document_text
from ml.catalog.reader import read_catalog
from ml.config import Settings
from ml.embedding.precision import cpu_flags, resolve_precision
from ml.embedding.sentence import SentenceEmbedder
from ml.paths import SAMPLE_CATALOG


@pytest.fixture(scope="module")
def documents() -> list[str]:
    products = read_catalog(SAMPLE_CATALOG).products
    texts = [document_text(p) for p in products[::101]][:16]
    return [*texts, "usb cable", "a"]  # very short ones among ~100-token product documents


@pytest.fixture(scope="module")
def fp32() -> SentenceEmbedder:
    return SentenceEmbedder(threads=1, precision="fp32", batch_size=8)


@pytest.fixture(scope="module")
def bf16() -> SentenceEmbedder:
    return SentenceEmbedder(threads=1, precision="bf16", batch_size=8)


def test_cpu_flags_and_auto_precision(tmp_path: Path) -> None:
    amx = tmp_path / "amx"
    amx.write_text("processor : 0\nflags\t\t: fpu sse avx512f amx_bf16 amx_tile\n")
    plain = tmp_path / "plain"
    plain.write_text("processor : 0\nflags\t\t: fpu sse avx2\n")
    assert "amx_bf16" in cpu_flags(amx) and "avx2" in cpu_flags(plain)
    assert cpu_flags(tmp_path / "missing") == set()
    assert resolve_precision("auto", has_bf16=True) == "bf16"
    assert resolve_precision("auto", has_bf16=False) == "fp32"
    assert resolve_precision("fp32", has_bf16=True) == "fp32"
    assert resolve_precision("bf16", has_bf16=False) == "bf16"
    with pytest.raises(ValueError, match="precision"):
        resolve_precision("fp16")


def test_precision_setting_reaches_the_embedder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SHOPTALK_EMBED_PRECISION", "fp32")
    assert SentenceEmbedder.from_settings(Settings(data_dir=tmp_path)).precision == "fp32"
    monkeypatch.setenv("SHOPTALK_EMBED_PRECISION", "bf16")
    assert SentenceEmbedder.from_settings(Settings(data_dir=tmp_path)).precision == "bf16"
    monkeypatch.setenv("SHOPTALK_EMBED_PRECISION", "fp8")
    with pytest.raises(ValueError):
        Settings(data_dir=tmp_path)


def test_bf16_vectors_match_fp32(
    documents: list[str], fp32: SentenceEmbedder, bf16: SentenceEmbedder
) -> None:
    a, b = fp32.embed_base(documents), bf16.embed_base(documents)
    assert a.dtype == b.dtype == np.float32 and a.shape == b.shape
    cosine = (a * b).sum(axis=1)
    assert cosine.min() >= 0.999, cosine.min()
    np.testing.assert_allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    # Interchangeable vectors: the precision is not part of the model version.
    assert fp32.model_version == bf16.model_version


def test_length_sorted_batches_keep_input_order(documents: list[str], fp32: SentenceEmbedder) -> None:
    sorted_path = fp32.embed_base(documents)
    reference = fp32.model.encode(documents, batch_size=8, normalize_embeddings=True, convert_to_numpy=True)
    assert ((sorted_path * reference).sum(axis=1) >= 0.9999).all()
    singles = np.vstack([fp32.embed_base([t]) for t in documents[-3:]])
    assert ((singles * sorted_path[-3:]).sum(axis=1) >= 0.9999).all()
    assert fp32.embed_base([]).shape == (0, fp32.dim)


def test_a_short_query_runs_fp32_and_a_batch_of_listings_bf16(
    monkeypatch: pytest.MonkeyPatch, documents: list[str], fp32: SentenceEmbedder, bf16: SentenceEmbedder
) -> None:
    """Autocast costs a fixed amount per forward pass: below BF16_MIN_TOKENS padded tokens fp32 is
    faster (docs/benchmarks/embed_precision.json), so a shopper's query skips it."""
    import torch

    casts: list[object] = []
    real = torch.autocast

    def spy(*args: object, **kwargs: object) -> object:
        casts.append(kwargs.get("dtype"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(torch, "autocast", spy)
    query = bf16.embed_base(["grey sofa under 700"])
    assert casts == []
    np.testing.assert_allclose(query, fp32.embed_base(["grey sofa under 700"]), atol=1e-6)
    bf16.embed_base(documents[:8])  # 8 listings of ~100 tokens
    assert casts and set(casts) == {torch.bfloat16}
    always = SentenceEmbedder(threads=1, precision="bf16", bf16_min_tokens=0)
    always.embed_base(["grey sofa under 700"])
    assert len(casts) > 1
