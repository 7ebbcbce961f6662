"""Query-aware fusion: the keyword half's weight follows how much of the query its listings state."""

from __future__ import annotations

import pytest

from ml.catalog.product import Product
from ml.evaluation.fusion_tuning import score_rule, split_of, tune
from ml.retrieval.fusion import reciprocal_rank_fusion
from ml.retrieval.fusion_weights import AdaptiveWeights, grid, query_content_terms, term_coverage
from ml.retrieval.types import IndexHit


def hits(*titles: str, model_number: str | None = None) -> list[IndexHit]:
    return [
        IndexHit(
            item_id=f"i{r}",
            rank=r,
            score=10.0 - r,
            product=Product(item_id=f"i{r}", title=t, model_number=model_number),
        )
        for r, t in enumerate(titles, start=1)
    ]


def test_coverage_counts_query_terms_a_listing_states() -> None:
    listing = hits("Insulated Stainless Steel Water Bottle, 32 oz")
    assert term_coverage("insulated steel water bottle", listing) == 1.0
    assert term_coverage("steel bottles", listing) == 1.0  # plural stem
    assert term_coverage("insulted water bottle", listing) == 1.0  # one edit in a long word
    assert term_coverage("keeps my drinks cold all day", listing) == 0.0
    assert term_coverage("cold water bottle", listing) == pytest.approx(2 / 3)
    assert term_coverage("anything", []) == 0.0


def test_coverage_takes_the_best_listing_and_ignores_bullets() -> None:
    listing = hits("Red Chair", "Blue Velvet Sofa")
    assert term_coverage("blue velvet sofa", listing) == 1.0
    body_only = [
        IndexHit(
            item_id="b",
            rank=1,
            score=1.0,
            product=Product(item_id="b", title="Sofa", bullets=["turns into a bed for guests"]),
        )
    ]
    assert term_coverage("turns into a bed", body_only) == 0.0


def test_identifiers_match_with_and_without_hyphens() -> None:
    listing = hits("Digital Watch", model_number="F-91W")
    assert "f91w" in query_content_terms("casio F-91W")
    assert term_coverage("f91w", listing) == 1.0
    assert term_coverage("F-91W", listing) == 1.0


def test_filler_words_do_not_count() -> None:
    assert query_content_terms("i need a case for my phone") == ["case", "phone"]


def test_keyword_factor_interpolates_between_floor_and_ceiling() -> None:
    rule = AdaptiveWeights(floor=0.2, ceiling=1.5, exponent=2.0)
    assert rule.keyword_factor(0.0) == pytest.approx(0.2)
    assert rule.keyword_factor(1.0) == pytest.approx(1.5)
    assert rule.keyword_factor(0.5) == pytest.approx(0.2 + 1.3 * 0.25)
    assert rule.keyword_factor(7.0) == pytest.approx(1.5)
    weight, vector, coverage = rule.weights("red chair", hits("Red Chair"), 2.0, 1.0)
    assert (weight, vector, coverage) == (pytest.approx(3.0), 1.0, 1.0)
    assert all(r.floor <= r.ceiling for r in grid((0.0, 2.0), (1.0,), (1.0,)))


def paraphrase_halves() -> tuple[list[IndexHit], list[IndexHit]]:
    """The keyword half's top listing matched only in its bullets; the vector half found the answer
    and has that listing far down."""
    keyword = hits("Weekly Planner", "Tote Bag")
    answer = Product(item_id="bottle", title="Insulated Bottle")
    vector = [IndexHit(item_id="bottle", rank=1, score=0.9, product=answer)]
    vector.append(keyword[0].model_copy(update={"rank": 45}))
    return keyword, vector


def test_low_coverage_lets_the_vector_half_lead() -> None:
    keyword, vector = paraphrase_halves()
    assert term_coverage("keeps my drinks cold all day", keyword) == 0.0
    static = reciprocal_rank_fusion(keyword, vector)
    factor = AdaptiveWeights(floor=0.2).keyword_factor(0.0)
    adaptive = reciprocal_rank_fusion(keyword, vector, keyword_weight=factor)
    assert static[0].item_id == "i1"
    assert adaptive[0].item_id == "bottle"


def test_tuning_picks_the_rule_that_scores_best_on_the_tune_half() -> None:
    qids = [f"q{i}" for i in range(40)]
    assert {split_of(q) for q in qids} == {"tune", "check"}
    queries = {q: "keeps my drinks cold all day" for q in qids}
    halves = {q: paraphrase_halves() for q in qids}
    qrels = {q: {"bottle": 3} for q in qids}
    kinds = {q: "paraphrase" for q in qids}
    rules = [AdaptiveWeights(1.0, 1.0, 1.0), AdaptiveWeights(0.0, 1.0, 1.0)]
    result = tune(halves, queries, qrels, kinds, rules)
    assert result["best"]["floor"] == 0.0
    assert result["ndcg@10"]["adaptive_best"]["check"]["paraphrase"] == 1.0
    assert result["ndcg@10"]["static_rrf"]["check"]["paraphrase"] < 1.0
    coverage = dict.fromkeys(qids, 0.0)
    assert score_rule(None, halves, coverage, queries, qrels)["q0"] < 1.0
