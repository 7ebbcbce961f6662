"""Train and evaluate the LightGBM "for you" ranker on interaction logs; gate and register.

``train_recommender`` builds the held-out time split (:mod:`ml.recommend.dataset`), fits a
LightGBM lambdarank model on the training sessions' candidates (:mod:`ml.recommend.candidates`),
and reports NDCG@10 / recall@10 on the held-out sessions for the model, for a popularity
baseline (the most interacted-with items of the training period) and, when one exists, for the
current champion on the same held-out sessions. The promotion gate is
:func:`ml.training.promotion.decide_promotion`: a first model must beat the popularity
baseline; later ones must be at least as good as the champion.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ml.catalog.product import Product
from ml.logging import get_logger
from ml.recommend.candidates import MatrixNeighbours, generate_candidates
from ml.recommend.dataset import Example, example, interactions, sessions_from_events, time_split
from ml.recommend.metrics import ndcg_at_k, recall_at_k
from ml.recommend.ranker import PopularityStats, RankerModel, features
from ml.recommend.synthetic import Event

log = get_logger(__name__)
K = 10
GATE_METRIC = "heldout_ndcg_at_10"


@dataclass
class TrainResult:
    model: RankerModel
    metrics: dict[str, float]
    params: dict[str, Any]
    session_items: list[list[str]] = field(default_factory=list)
    session_ids: list[str] = field(default_factory=list)
    session_vecs: np.ndarray | None = None


def _rows(
    ex: Example, neighbours: MatrixNeighbours, stats: PopularityStats
) -> tuple[list[Any], list[list[float]], list[float]]:
    history = [neighbours.by_id[i] for i in ex.history if i in neighbours.by_id]
    if not history:
        return [], [], []
    cands = generate_candidates(history, neighbours, stats)
    hv = neighbours.vectors(history)
    rows = [features(history, hv, c, stats) for c in cands]
    labels = [ex.relevance.get(c.product.item_id, 0.0) for c in cands]
    return cands, rows, labels


def evaluate(
    examples: Sequence[Example],
    neighbours: MatrixNeighbours,
    stats: PopularityStats,
    model: RankerModel | None,
) -> dict[str, float]:
    """Mean NDCG@10 / recall@10 of ``model`` (or of popularity when None) on ``examples``."""
    ndcg, recall = [], []
    for ex in examples:
        if model is None:
            ranked = stats.top(K, set(ex.history))
        else:
            cands, rows, _ = _rows(ex, neighbours, stats)
            scores = model.score(rows)
            order = np.argsort(-scores, kind="stable")
            ranked = [cands[j].product.item_id for j in order[:K]]
        ndcg.append(ndcg_at_k(ranked, ex.relevance, K))
        recall.append(recall_at_k(ranked, ex.relevance, K))
    return {
        "ndcg_at_10": float(np.mean(ndcg)) if ndcg else 0.0,
        "recall_at_10": float(np.mean(recall)) if recall else 0.0,
    }


def _session_vectors(
    sessions: Sequence[Any], neighbours: MatrixNeighbours
) -> tuple[list[list[str]], list[str], np.ndarray]:
    items, ids, vecs = [], [], []
    for s in sessions:
        known = [i for i in s.items if i in neighbours.row]
        if not known:
            continue
        v = neighbours.matrix[[neighbours.row[i] for i in known]].mean(axis=0)
        vecs.append(v / (np.linalg.norm(v) or 1.0))
        items.append(known)
        ids.append(s.session_id)
    return items, ids, np.vstack(vecs) if vecs else np.zeros((0, neighbours.matrix.shape[1]))


def train_recommender(
    events: Sequence[Event],
    products: Sequence[Product],
    matrix: np.ndarray,
    *,
    seed: int = 13,
    num_boost_round: int = 120,
    champion: RankerModel | None = None,
    test_share: float = 0.25,
) -> TrainResult:
    import lightgbm as lgb

    started = time.perf_counter()
    sessions = sessions_from_events(events)
    train, test, cutoff = time_split(sessions, test_share)
    train_ids = {s.session_id for s in train}
    stats = PopularityStats.from_interactions(interactions(events, train_ids))
    neighbours = MatrixNeighbours(products, matrix)
    s_items, s_ids, s_vecs = _session_vectors(train, neighbours)
    neighbours.session_items, neighbours.session_vecs = s_items, s_vecs
    index_of = {sid: i for i, sid in enumerate(s_ids)}

    X: list[list[float]] = []
    y: list[float] = []
    groups: list[int] = []
    for s in train:
        ex = example(s)
        if ex is None:
            continue
        neighbours.exclude_session = index_of.get(s.session_id)  # a session is not its own neighbour
        _, rows, labels = _rows(ex, neighbours, stats)
        if rows and any(labels):
            X.extend(rows)
            y.extend(labels)
            groups.append(len(rows))
    neighbours.exclude_session = None
    params = {
        "objective": "lambdarank",
        "metric": "ndcg",
        "eval_at": [K],
        "learning_rate": 0.05,
        "num_leaves": 31,
        "min_data_in_leaf": 20,
        "feature_fraction": 0.9,
        "bagging_fraction": 0.9,
        "bagging_freq": 1,
        "seed": seed,
        "deterministic": True,
        "num_threads": 1,
        "verbosity": -1,
    }
    data = lgb.Dataset(np.asarray(X), label=np.asarray(y), group=groups, feature_name=list(_feature_names()))
    booster = lgb.train(params, data, num_boost_round=num_boost_round)
    model = RankerModel(
        booster,
        stats,
        {"cutoff": cutoff, "features": list(_feature_names()), "train_sessions": len(train), "seed": seed},
    )

    test_examples = [ex for ex in (example(s) for s in test) if ex is not None]
    cand = evaluate(test_examples, neighbours, stats, model)
    base = evaluate(test_examples, neighbours, stats, None)
    metrics = {
        "heldout_ndcg_at_10": cand["ndcg_at_10"],
        "heldout_recall_at_10": cand["recall_at_10"],
        "popularity_ndcg_at_10": base["ndcg_at_10"],
        "popularity_recall_at_10": base["recall_at_10"],
        "train_sessions": float(len(train)),
        "test_sessions": float(len(test_examples)),
        "train_rows": float(len(X)),
        "train_seconds": round(time.perf_counter() - started, 3),
    }
    if champion is not None:
        champ = evaluate(
            test_examples, neighbours, stats, RankerModel(champion.booster, stats, champion.meta)
        )
        metrics["champion_ndcg_at_10"] = champ["ndcg_at_10"]
        metrics["champion_recall_at_10"] = champ["recall_at_10"]
    log.info("recommender.trained", **{k: round(v, 4) for k, v in metrics.items()})
    return TrainResult(
        model,
        metrics,
        {**params, "num_boost_round": num_boost_round, "cutoff": cutoff},
        s_items,
        s_ids,
        s_vecs,
    )


def _feature_names() -> tuple[str, ...]:
    from ml.recommend.ranker import FEATURES

    return FEATURES


def champion_dir(data_dir: Path) -> Path:
    """Where the promoted model is kept for the gateway (besides MLflow)."""
    return data_dir / "recommender" / "champion"
