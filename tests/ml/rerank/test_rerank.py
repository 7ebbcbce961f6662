"""The reranking stage with the real cross-encoder (INT8 ONNX): order, budget, fallback, remote errors."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from ml.catalog.product import Product
from ml.clients.breaker import CircuitBreaker
from ml.clients.reranker import RerankerClient
from ml.clients.retry import RetryPolicy
from ml.config import Settings
from ml.retrieval.protocols import Reranker, RerankerTimeout, RerankerUnavailable
from ml.retrieval.rerank import (
    CrossEncoderReranker,
    apply_scores,
    blend_with_fused,
    build_reranker,
    rerank_document,
    rerank_or_fallback,
)
from ml.retrieval.rerank_remote import RemoteReranker
from ml.retrieval.types import Hit
from tests.fakes.weights import MODELS_DIR, weights_dir


def _hit(rank: int, item_id: str, title: str, product_type: str, bullets: list[str], **ranks: int) -> Hit:
    product = Product(item_id=item_id, title=title, product_type=product_type, bullets=bullets)
    return Hit(item_id=item_id, rank=rank, score=1 / (60 + rank), product=product, **ranks)


def _fused() -> list[Hit]:
    """A fused list whose only relevant product (the bottle) came last."""
    return [
        _hit(1, "CASE", "Clear shockproof case for iPhone 12", "CELLULAR_PHONE_CASE",
             ["Slim TPU bumper", "Wireless charging compatible"], keyword_rank=1, vector_rank=4),
        _hit(2, "SHIRT", "Men's cotton crew-neck t-shirt, navy", "SHIRT",
             ["100% cotton", "Machine wash"], keyword_rank=2),
        _hit(3, "BOTTLE", "Insulated stainless steel water bottle, 32 oz", "BOTTLE",
             ["Keeps drinks cold for 24 hours", "Leak-proof lid"], vector_rank=1),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def reranker() -> CrossEncoderReranker:
    return CrossEncoderReranker(weights_dir("reranker"), threads=1, budget_ms=None).load()


def test_the_relevant_last_hit_moves_first_and_each_halfs_rank_is_kept(
    reranker: CrossEncoderReranker,
) -> None:
    assert isinstance(reranker, Reranker)
    fused = _fused()
    out = reranker.rerank("water bottle that keeps drinks cold", fused, top_n=3)
    assert out[0].item_id == "BOTTLE"
    assert [h.rank for h in out] == [1, 2, 3]
    bottle = out[0]
    assert bottle.vector_rank == 1 and bottle.keyword_rank is None and bottle.score == fused[2].score
    assert all(h.rerank_score is not None for h in out)
    assert out[0].rerank_score > out[1].rerank_score >= out[2].rerank_score  # type: ignore[operator]
    assert {h.item_id: h.keyword_rank for h in out}["CASE"] == 1
    assert fused[2].rank == 3 and fused[2].rerank_score is None  # inputs are not mutated


def test_only_top_n_are_scored_and_the_tail_keeps_fused_order(reranker: CrossEncoderReranker) -> None:
    fused = _fused()
    out = reranker.rerank("cotton t-shirt", fused, top_n=2)  # the bottle is outside the top 2
    assert [h.item_id for h in out] == ["SHIRT", "CASE", "BOTTLE"]
    assert out[2].rerank_score is None and out[2].rank == 3


def test_apply_scores_ties_keep_fused_order() -> None:
    out = apply_scores(_fused(), [0.5, 0.5, 0.9])
    assert [h.item_id for h in out] == ["BOTTLE", "CASE", "SHIRT"]


def _four() -> list[Hit]:
    return [_hit(n, f"P{n}", f"product {n}", "THING", []) for n in range(1, 5)]


def test_blend_weight_zero_is_the_cross_encoder_and_a_heavy_weight_the_fused_order() -> None:
    fused = _four()
    reranked = apply_scores(fused, [0.1, 0.2, 0.9])  # P4 unscored (outside top 3)
    assert [h.item_id for h in reranked] == ["P3", "P2", "P1", "P4"]
    assert blend_with_fused(fused, reranked, 0.0) == reranked
    heavy = blend_with_fused(fused, reranked, 10.0)
    assert [h.item_id for h in heavy] == ["P1", "P2", "P3", "P4"]
    assert [h.rank for h in heavy] == [1, 2, 3, 4]
    assert heavy[0].rerank_score == 0.1  # the cross-encoder's score stays on the hit


def test_blend_lets_fusion_keep_a_strong_first_place() -> None:
    fused = _four()
    # the cross-encoder puts the fused #1 third of four: equal weights bring it back to the top two
    reranked = apply_scores(fused, [0.5, 0.9, 0.4, 0.8])
    assert [h.item_id for h in reranked] == ["P2", "P4", "P1", "P3"]
    blended = [h.item_id for h in blend_with_fused(fused, reranked, 1.0, k=5)]
    assert blended[:2] == ["P2", "P1"] and set(blended) == {"P1", "P2", "P3", "P4"}


def test_rerank_or_fallback_applies_the_blend() -> None:
    class Scorer:
        model_version = "scorer"

        def rerank(self, query: str, hits: list[Hit], top_n: int) -> list[Hit]:
            return apply_scores(hits, [0.0, 0.1, 0.2, 0.3][:top_n])

    fused = _four()
    plain = rerank_or_fallback(Scorer(), "q", fused, 4)
    assert [h.item_id for h in plain.hits] == ["P4", "P3", "P2", "P1"]
    kept = rerank_or_fallback(Scorer(), "q", fused, 4, fused_weight=5.0)
    assert [h.item_id for h in kept.hits] == ["P1", "P2", "P3", "P4"] and kept.degraded is None


def test_document_text_leads_with_title_and_attributes_and_is_capped() -> None:
    product = Product(
        item_id="X", title="Trail runner shoe", brand="Acme", product_type="SHOES", colors=["Red"],
        material="Mesh", model_number="TR-9", bullets=["word " * 100] * 20,
    )  # fmt: skip
    text = rerank_document(product)
    assert text.startswith(
        "Trail runner shoe. Brand: Acme. Type: shoes. Colour: Red. Material: Mesh. Model: TR-9"
    )
    assert len(text) <= 1200


def test_over_budget_serves_the_fused_order_and_says_so() -> None:
    fused = _fused()
    long_hits = [
        h.model_copy(update={"product": h.product.model_copy(update={"bullets": ["detail " * 60] * 8})})
        for h in fused
    ] * 5  # 15 long candidates
    long_hits = [
        h.model_copy(update={"rank": i, "item_id": f"{h.item_id}{i}"}) for i, h in enumerate(long_hits, 1)
    ]
    unbounded = CrossEncoderReranker(weights_dir("reranker"), budget_ms=None, batch_size=32).load()
    start = time.perf_counter()
    unbounded.rerank("water bottle", long_hits, top_n=15)
    full_ms = (time.perf_counter() - start) * 1000

    bounded = CrossEncoderReranker(weights_dir("reranker"), budget_ms=full_ms / 10, batch_size=32).load()
    outcome = rerank_or_fallback(bounded, "water bottle", long_hits, top_n=15)
    assert outcome.degraded == "reranker-timeout"
    assert [h.item_id for h in outcome.hits] == [h.item_id for h in long_hits]
    assert all(h.rerank_score is None for h in outcome.hits)
    assert outcome.elapsed_ms < full_ms * 0.6  # the running ONNX call was cancelled, not awaited
    with pytest.raises(RerankerTimeout):
        bounded.rerank("water bottle", long_hits, top_n=15)


def test_a_reranker_that_cannot_load_is_unavailable_not_an_error(tmp_path: Path) -> None:
    broken = CrossEncoderReranker(models_dir=tmp_path)  # nothing fetched there
    with pytest.raises(RerankerUnavailable, match="weights fetch"):
        broken.rerank("water bottle", _fused(), top_n=3)
    outcome = rerank_or_fallback(broken, "water bottle", _fused(), top_n=3)
    assert outcome.degraded == "reranker-unavailable"
    assert [h.item_id for h in outcome.hits] == ["CASE", "SHIRT", "BOTTLE"]
    assert rerank_or_fallback(None, "q", _fused(), 3).degraded == "reranker-unavailable"


def _remote(handler: httpx.MockTransport, budget_ms: float = 200.0) -> RemoteReranker:
    http = httpx.Client(base_url="http://reranker.test", transport=handler)
    client = RerankerClient(
        "http://reranker.test", client=http, retry=RetryPolicy(retries=0), breaker=CircuitBreaker(2, 30)
    )
    return RemoteReranker(client, budget_ms=budget_ms)


def test_remote_reranker_applies_service_scores_and_maps_outages() -> None:
    seen: list[dict] = []

    def ok(request: httpx.Request) -> httpx.Response:
        import json

        body = json.loads(request.content)
        seen.append(body)
        n = body["inputs"][1]["shape"][0]
        return httpx.Response(
            200,
            json={
                "model_name": "reranker",
                "outputs": [
                    {"name": "scores", "datatype": "FP32", "shape": [n], "data": [0.1, 0.2, 3.0][:n]}
                ],
                "parameters": {"model_version": "ms-marco-MiniLM-L-12-v2-int8"},
            },
        )

    remote = _remote(httpx.MockTransport(ok))
    out = remote.rerank("water bottle", _fused(), top_n=3)
    assert [h.item_id for h in out] == ["BOTTLE", "SHIRT", "CASE"]
    assert remote.model_version == "ms-marco-MiniLM-L-12-v2-int8"
    assert seen[0]["inputs"][0] == {
        "name": "query",
        "datatype": "BYTES",
        "shape": [1],
        "data": ["water bottle"],
    }
    assert seen[0]["inputs"][1]["data"][2].startswith("Insulated stainless steel water bottle")

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(RerankerTimeout):
        _remote(httpx.MockTransport(slow)).rerank("q", _fused(), 3)

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    dead = _remote(httpx.MockTransport(down))
    for _ in range(3):  # the breaker opens after 2 failures; every call still degrades cleanly
        outcome = rerank_or_fallback(dead, "q", _fused(), 3)
        assert outcome.degraded == "reranker-unavailable"
        assert [h.item_id for h in outcome.hits] == ["CASE", "SHIRT", "BOTTLE"]


def test_settings_choose_the_implementation(tmp_path: Path) -> None:
    local = build_reranker(Settings(data_dir=tmp_path, models_dir=MODELS_DIR, reranker_threads=2))
    assert isinstance(local, CrossEncoderReranker) and local.threads == 2
    assert Settings(data_dir=tmp_path).search_profile == "fast"
    remote = build_reranker(
        Settings(data_dir=tmp_path, reranker_url="http://127.0.0.1:9/", rerank_budget_ms=150)
    )
    assert isinstance(remote, RemoteReranker) and remote.budget_ms == 150
    assert remote.client.timeout_s == pytest.approx(0.15)


def test_session_options_change_speed_not_scores(reranker: CrossEncoderReranker) -> None:
    docs = [rerank_document(h.product) for h in _fused()]
    tuned = CrossEncoderReranker(
        weights_dir("reranker"), optimization="basic", allow_spinning=False, budget_ms=None
    ).load()
    query = "water bottle that keeps drinks cold"
    fast, default = tuned.score(query, docs), reranker.score(query, docs)
    assert fast.argsort().tolist() == default.argsort().tolist()
    assert fast == pytest.approx(default, rel=0.02)  # fused kernels round differently
    with pytest.raises(KeyError):
        CrossEncoderReranker(weights_dir("reranker"), optimization="fastest").load()
