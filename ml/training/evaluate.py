"""Held-out retrieval eval of an adapter: keyword, vector and hybrid nDCG@k / recall@k.

The corpus is the whole catalog; the queries are the held-out products' generated queries
(the adapter never trained on those products). Keyword rankings come from a real BM25 index
built once; vector rankings are exact cosine search over precomputed base embeddings with
the adapter applied; hybrid is the same reciprocal-rank fusion the searcher uses.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import mean
from typing import Any

import numpy as np

from ml.catalog.product import Product
from ml.embedding.adapter import Adapter
from ml.evaluation.metrics import ndcg_at_k, recall_at_k
from ml.retrieval.fusion import DEFAULT_RRF_K, reciprocal_rank_fusion
from ml.retrieval.types import IndexHit
from ml.training.queries import ShopperQuery, judgments


@dataclass
class EvalSet:
    """Everything needed to score any adapter on the same held-out queries."""

    queries: list[ShopperQuery]
    query_vectors: np.ndarray  # base embeddings
    corpus: list[Product]
    doc_vectors: np.ndarray  # base embeddings
    keyword_hits: list[list[IndexHit]]
    qrels: list[dict[str, int]]
    k: int = 10
    pool: int = 50
    rrf_k: int = DEFAULT_RRF_K


def keyword_rankings(
    corpus: Sequence[Product], queries: Sequence[ShopperQuery], pool: int
) -> list[list[IndexHit]]:
    from ml.retrieval.tantivy_index import TantivyKeywordIndex

    with tempfile.TemporaryDirectory(prefix="shoptalk-heldout-") as tmp:
        index = TantivyKeywordIndex(tmp)
        index.upsert(corpus)
        return [index.search(q.text, pool) for q in queries]


def build_eval_set(
    queries: Sequence[ShopperQuery],
    query_vectors: np.ndarray,
    corpus: Sequence[Product],
    doc_vectors: np.ndarray,
    k: int = 10,
    pool: int = 50,
    rrf_k: int = DEFAULT_RRF_K,
) -> EvalSet:
    return EvalSet(
        queries=list(queries),
        query_vectors=query_vectors,
        corpus=list(corpus),
        doc_vectors=doc_vectors,
        keyword_hits=keyword_rankings(corpus, queries, pool),
        qrels=[judgments(q, corpus) for q in queries],
        k=k,
        pool=pool,
        rrf_k=rrf_k,
    )


def build_golden_eval_set(
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, int]],
    query_vectors: np.ndarray,
    corpus: Sequence[Product],
    doc_vectors: np.ndarray,
    k: int = 10,
    pool: int = 50,
) -> EvalSet | None:
    """Hand-judged queries (``ml/sample/golden``) over the same corpus; None if none apply.

    ``query_vectors`` are base embeddings of ``queries`` in their iteration order. Only queries
    with a judged product in the corpus count (the judgments belong to one catalog).
    """
    ids = {p.item_id for p in corpus}
    rows = [i for i, qid in enumerate(queries) if any(item in ids for item in qrels.get(qid, {}))]
    if not rows:
        return None
    qids = list(queries)
    chosen = [ShopperQuery(qids[i], queries[qids[i]], "", "golden") for i in rows]
    return EvalSet(
        queries=chosen,
        query_vectors=query_vectors[rows],
        corpus=list(corpus),
        doc_vectors=doc_vectors,
        keyword_hits=keyword_rankings(corpus, chosen, pool),
        qrels=[dict(qrels[q.qid]) for q in chosen],
        k=k,
        pool=pool,
    )


def vector_rankings(eval_set: EvalSet, adapter: Adapter) -> list[list[IndexHit]]:
    queries = adapter.apply(eval_set.query_vectors)
    docs = adapter.apply(eval_set.doc_vectors)
    scores = queries @ docs.T
    top = np.argsort(-scores, axis=1)[:, : eval_set.pool]
    return [
        [
            IndexHit(
                item_id=eval_set.corpus[j].item_id,
                rank=rank,
                score=float(scores[qi, j]),
                product=eval_set.corpus[j],
            )
            for rank, j in enumerate(row, start=1)
        ]
        for qi, row in enumerate(top)
    ]


def evaluate_adapter(eval_set: EvalSet, adapter: Adapter) -> dict[str, Any]:
    """``{"keyword"|"vector"|"hybrid": {"ndcg@k", "recall@k"}, "queries": n}``."""
    k = eval_set.k
    vector_hits = vector_rankings(eval_set, adapter)
    rows: dict[str, list[tuple[float, float]]] = {"keyword": [], "vector": [], "hybrid": []}
    for qi, qrels in enumerate(eval_set.qrels):
        keyword = eval_set.keyword_hits[qi]
        vector = vector_hits[qi]
        hybrid = reciprocal_rank_fusion(keyword, vector, k=eval_set.rrf_k, limit=k)
        for mode, ranked in (
            ("keyword", [h.item_id for h in keyword]),
            ("vector", [h.item_id for h in vector]),
            ("hybrid", [h.item_id for h in hybrid]),
        ):
            rows[mode].append((ndcg_at_k(ranked, qrels, k), recall_at_k(ranked, qrels, k)))
    result: dict[str, Any] = {"queries": len(eval_set.qrels)}
    for mode, values in rows.items():
        result[mode] = {
            f"ndcg@{k}": round(mean(v[0] for v in values), 4) if values else 0.0,
            f"recall@{k}": round(mean(v[1] for v in values), 4) if values else 0.0,
        }
    return result


def flat_metrics(result: dict[str, Any], prefix: str) -> dict[str, float]:
    """MLflow-friendly names: ``{prefix}_hybrid_ndcg_at_10`` …"""
    out: dict[str, float] = {}
    for mode in ("keyword", "vector", "hybrid"):
        for name, value in result.get(mode, {}).items():
            out[f"{prefix}_{mode}_{name.replace('@', '_at_')}"] = float(value)
    return out
