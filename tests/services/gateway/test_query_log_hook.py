"""Query embeddings reach the drift log through the searcher hook; raw text only when asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml.config import Settings
from ml.drift.query_log import QueryEmbeddingLog
from ml.embedding.sentence import SentenceEmbedder
from ml.retrieval.engine import HybridSearcher
from services.gateway.app import attach_query_log


@pytest.fixture(scope="module")
def embedder() -> SentenceEmbedder:
    return SentenceEmbedder(threads=1)


@pytest.mark.parametrize("keep_text", [False, True])
def test_embedded_queries_are_logged(tmp_path: Path, embedder: SentenceEmbedder, keep_text: bool) -> None:
    settings = Settings(data_dir=tmp_path, drift_sample_rate=1.0, drift_log_text=keep_text)
    searcher = HybridSearcher(None, None, embedder)
    attach_query_log(searcher, settings)
    searcher.embed_query("red leather boots")
    searcher.embed_query("red leather boots")  # cached: embedded once, logged once
    searcher.embed_query("wireless earbuds")
    logged = QueryEmbeddingLog(settings).read()
    assert len(logged) == 2
    assert all(len(entry.vector) == 384 for entry in logged)
    texts = [entry.text for entry in logged]
    assert texts == (["red leather boots", "wireless earbuds"] if keep_text else [None, None])


def test_sampling_off_attaches_nothing(tmp_path: Path, embedder: SentenceEmbedder) -> None:
    searcher = HybridSearcher(None, None, embedder)
    attach_query_log(searcher, Settings(data_dir=tmp_path, drift_sample_rate=0.0))
    assert searcher.query_vector_listener is None


def test_a_failing_listener_never_fails_search(embedder: SentenceEmbedder) -> None:
    searcher = HybridSearcher(None, None, embedder)

    def broken(_query: str, _vector: object) -> None:
        raise OSError("disk full")

    searcher.query_vector_listener = broken
    assert searcher.embed_query("lamp").shape == (384,)
