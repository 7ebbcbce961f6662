"""Query generation, product split, triplet mining, adapter training and the promotion gate."""

from __future__ import annotations

import numpy as np
import pytest

from ml.catalog.product import Product
from ml.training.promotion import decide_promotion
from ml.training.queries import MATCH_GRADE, SOURCE_GRADE, generate_queries, judgments, matches, queries_for
from ml.training.split import split_products
from ml.training.train import TrainConfig, train_adapter
from ml.training.triplets import mine_triplets


def make(
    i: int, ptype: str = "SHOES", color: str = "Red", material: str = "leather", brand: str = "Acme"
) -> Product:
    return Product(
        item_id=f"I{i:03d}",
        title=f"{brand} {color} {material.title()} Boots",
        brand=brand,
        product_type=ptype,
        colors=[color],
        color_text=color,
        material=material,
        style="casual",
        keywords=["boots", f"{color.lower()} boots"],
    )


CATALOG = [
    make(0),
    make(1, color="Blue"),
    make(2, material="suede"),
    make(3, color="Red", brand="Other"),
    make(4, ptype="MUG", color="Red", material="ceramic"),
    make(5, color="Blue", material="suede"),
]


def test_queries_are_deterministic_and_ask_for_the_source_products_attributes() -> None:
    first = queries_for(CATALOG[0], per_product=4)
    assert first == queries_for(CATALOG[0], per_product=4)
    assert len({q.text for q in first}) == len(first) == 4
    for q in first:
        assert q.item_id == "I000" and q.asked["type"] == "SHOES"
        assert matches(CATALOG[0], q.asked)


def test_judgments_grade_source_and_attribute_matches() -> None:
    red = next(q for q in generate_queries(CATALOG[:1], per_product=8) if q.asked.keys() == {"type", "color"})
    grades = judgments(red, CATALOG)
    assert grades["I000"] == SOURCE_GRADE
    assert grades["I002"] == MATCH_GRADE and grades["I003"] == MATCH_GRADE  # red shoes, other material/brand
    assert "I001" not in grades and "I004" not in grades  # blue shoes; a red mug


def test_split_is_by_product_disjoint_and_stable() -> None:
    products = [make(i) for i in range(200)]
    train, held = split_products(products, 0.25, seed=3)
    assert {p.item_id for p in train}.isdisjoint({p.item_id for p in held})
    assert len(train) + len(held) == 200 and 30 < len(held) < 70
    assert split_products(list(reversed(products)), 0.25, seed=3)[1] == list(reversed(held))
    with pytest.raises(ValueError):
        split_products(products, 1.5)


def test_hard_negatives_are_same_type_wrong_attributes_closest_first() -> None:
    queries = [q for q in generate_queries(CATALOG[:1], per_product=8) if q.asked.keys() == {"type", "color"}]
    rng = np.random.default_rng(0)
    docs = rng.normal(size=(len(CATALOG), 8)).astype(np.float32)
    qv = docs[[0]] + 0.1
    docs[5] = qv[0] * 0.99  # the blue suede shoe is the current model's closest wrong answer
    triplets = mine_triplets(queries, qv, CATALOG, docs, negatives_per_anchor=1)
    assert len(triplets) == 1
    assert triplets.positives[0] == 0 and triplets.negatives[0] == 5
    wrong = CATALOG[int(triplets.negatives[0])]
    assert wrong.product_type == "SHOES" and not matches(wrong, queries[0].asked)


def test_training_lowers_triplet_loss_and_starts_from_identity() -> None:
    rng = np.random.default_rng(0)
    dim, n = 16, 64
    docs = rng.normal(size=(n, dim)).astype(np.float32)
    queries = docs + rng.normal(scale=1.5, size=(n, dim)).astype(np.float32)  # noisy views of their docs
    from ml.training.triplets import TripletSet

    anchors = np.arange(n)
    triplets = TripletSet(anchors, anchors, (anchors + 1) % n)
    result = train_adapter(queries, docs, triplets, triplets, TrainConfig(epochs=15, batch_size=16))
    assert len(result.train_loss) == len(result.val_loss) == 15
    assert min(result.val_loss) < result.val_loss[0]
    assert result.best_epoch == int(np.argmin(result.val_loss))  # early stopping keeps the best epoch
    with pytest.raises(ValueError, match="no training triplets"):
        train_adapter(queries, docs, TripletSet(anchors[:0], anchors[:0], anchors[:0]))


def test_gate_blocks_below_margin_and_bar_and_promotes_winners() -> None:
    win = decide_promotion(candidate=0.62, base=0.5, champion=0.6, margin=0.01, min_score=0.3)
    assert win.promote and win.reference_name == "champion"
    close = decide_promotion(candidate=0.605, base=0.5, champion=0.6, margin=0.01, min_score=0.3)
    assert not close.promote and "margin" in close.reason and "0.6100" in close.reason
    no_champion_low = decide_promotion(candidate=0.25, base=0.1, champion=None, margin=0.01, min_score=0.3)
    assert not no_champion_low.promote and "minimum bar" in no_champion_low.reason
    no_champion_ok = decide_promotion(candidate=0.5, base=0.45, champion=None, margin=0.01, min_score=0.3)
    assert no_champion_ok.promote and no_champion_ok.reference == 0.45
    no_gain_over_base = decide_promotion(candidate=0.45, base=0.45, champion=None, margin=0.01, min_score=0.3)
    assert not no_gain_over_base.promote


def test_a_second_metric_regression_blocks_a_passing_candidate() -> None:
    from ml.training.promotion import require_no_regression

    passing = decide_promotion(candidate=0.7, base=0.6, champion=None, margin=0.01, min_score=0.3)
    blocked = require_no_regression(
        passing, candidate=0.70, reference=0.80, tolerance=0.01, what="golden ndcg"
    )
    assert passing.promote and not blocked.promote
    assert "golden ndcg 0.7000 regresses" in blocked.reason and blocked.candidate == 0.7
    kept = require_no_regression(passing, candidate=0.795, reference=0.80, tolerance=0.01, what="golden ndcg")
    assert kept is passing


def test_finetune_gate_blocks_on_golden_regression_and_golden_set_keeps_judged_queries() -> None:
    from ml.training.evaluate import build_golden_eval_set
    from ml.training.finetune import FinetuneConfig, decide

    def result(ndcg: float) -> dict[str, object]:
        return {"queries": 4, "hybrid": {"ndcg@10": ndcg, "recall@10": ndcg}}

    config = FinetuneConfig(catalog="x", promotion_margin=0.01, promotion_min_ndcg=0.1)
    metrics = {"base": result(0.5), "candidate": result(0.6)}
    assert decide(config, metrics, None).promote  # type: ignore[arg-type]
    metrics.update({"golden_base": result(0.8), "golden_candidate": result(0.7)})
    blocked = decide(config, metrics, None)  # type: ignore[arg-type]
    assert not blocked.promote and "golden hybrid ndcg@10" in blocked.reason

    rng = np.random.default_rng(0)
    docs = rng.normal(size=(len(CATALOG), 8)).astype(np.float32)
    queries = {"q1": "red boots", "q2": "something judged elsewhere"}
    qrels = {"q1": {"I000": 3}, "q2": {"NOT-IN-CATALOG": 3}}
    golden = build_golden_eval_set(queries, qrels, rng.normal(size=(2, 8)).astype(np.float32), CATALOG, docs)
    assert golden is not None and [q.qid for q in golden.queries] == ["q1"] and golden.qrels == [{"I000": 3}]
    assert build_golden_eval_set({"q2": "x"}, {"q2": {"NOPE": 1}}, docs[:1], CATALOG, docs) is None
