"""Search profiles: ``fast`` serves the fused order, ``quality`` reranks the fused top N after
fusion; a slow or missing reranker serves the fused order and says so in ``degraded``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ml.config import Settings
from ml.retrieval.factory import build_searcher
from ml.retrieval.protocols import RerankerTimeout, RerankerUnavailable
from ml.retrieval.rerank import CrossEncoderReranker, apply_scores
from ml.retrieval.rerank_remote import RemoteReranker
from ml.retrieval.types import Hit
from tests.fakes.catalog import build_test_searcher


class ReverseReranker:
    """Scores the fused order backwards, so a reranked result is easy to recognise."""

    model_version = "reverse"

    def __init__(self) -> None:
        self.seen: list[int] = []

    def rerank(self, query: str, hits: Sequence[Hit], top_n: int) -> list[Hit]:
        head = list(hits[:top_n])
        self.seen.append(len(head))
        return apply_scores(hits, [float(i) for i in range(len(head))])


class FailingReranker:
    model_version = "failing"

    def __init__(self, error: Exception) -> None:
        self.error = error

    def rerank(self, query: str, hits: Sequence[Hit], top_n: int) -> list[Hit]:
        raise self.error


def _searcher(reranker: object | None, profile: str = "quality", top_n: int = 6):
    searcher = build_test_searcher()
    searcher.reranker = reranker  # type: ignore[assignment]
    searcher.profile = profile
    searcher.rerank_top_n = top_n
    return searcher


def test_fast_profile_is_the_fused_order_and_never_calls_the_reranker() -> None:
    reranker = ReverseReranker()
    searcher = _searcher(reranker, profile="fast")
    result = searcher.search("black", k=5)
    assert reranker.seen == [] and result.degraded == []
    assert all(h.rerank_score is None for h in result.hits)
    assert "rerank" not in result.timings_ms


def test_quality_profile_reranks_the_top_n_then_cuts_to_k() -> None:
    fused = _searcher(None, profile="fast").search("black", k=6).hits
    assert len(fused) == 6
    reranker = ReverseReranker()
    result = _searcher(reranker, top_n=6).search("black", k=3)
    assert reranker.seen == [6]  # N candidates scored even though only k=3 are served
    assert [h.item_id for h in result.hits] == [h.item_id for h in reversed(fused)][:3]
    assert [h.rank for h in result.hits] == [1, 2, 3]
    assert all(h.rerank_score is not None for h in result.hits)
    assert result.degraded == [] and "rerank" in result.timings_ms


def test_per_request_profile_overrides_the_searcher_default() -> None:
    reranker = ReverseReranker()
    searcher = _searcher(reranker, profile="fast")
    assert searcher.search("black", k=3, profile="quality").hits[0].rerank_score is not None
    assert searcher.search("black", k=3).hits[0].rerank_score is None


def test_slow_or_down_reranker_serves_the_fused_order_flagged() -> None:
    fused = [h.item_id for h in _searcher(None, profile="fast").search("black", k=5).hits]
    for reranker, reason in (
        (FailingReranker(RerankerTimeout("over budget")), "reranker-timeout"),
        (FailingReranker(RerankerUnavailable("down")), "reranker-unavailable"),
        (FailingReranker(ValueError("bug")), "reranker-unavailable"),
        (None, "reranker-unavailable"),
    ):
        result = _searcher(reranker).search("black", k=5)
        assert [h.item_id for h in result.hits] == fused
        assert result.degraded == [reason]


def test_factory_builds_the_profile_and_reranker_from_settings(tmp_path: Path) -> None:
    from tests.fakes.catalog import HashingEmbedder

    local = build_searcher(
        Settings(data_dir=tmp_path / "a", search_profile="quality", rerank_top_n=30), HashingEmbedder()
    )
    assert isinstance(local.reranker, CrossEncoderReranker)
    assert local.profile == "quality" and local.rerank_top_n == 30
    remote = build_searcher(
        Settings(data_dir=tmp_path / "b", reranker_url="http://127.0.0.1:9", rerank_budget_ms=150),
        HashingEmbedder(),
    )
    assert isinstance(remote.reranker, RemoteReranker) and remote.profile == "fast"
    assert remote.reranker.budget_ms == 150
    for searcher in (local, remote):
        close = getattr(searcher.vector, "close", None)
        if close:
            close()
