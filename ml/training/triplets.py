"""Triplets (query, its product, a hard negative) with negatives mined by the current model.

A hard negative is a product of the same type that does not have what the query asks for
(so it is truly wrong), ranked by how close the current model puts it to the query: the ones
the deployed model confuses are the ones worth training on. Triplets are index arrays into
precomputed base embeddings, so training never re-runs the transformer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ml.catalog.product import Product
from ml.training.queries import ShopperQuery, matches


@dataclass
class TripletSet:
    anchors: np.ndarray  # index into query vectors
    positives: np.ndarray  # index into document vectors
    negatives: np.ndarray  # index into document vectors
    same_type_negatives: int = 0

    def __len__(self) -> int:
        return int(self.anchors.shape[0])

    def subset(self, mask: np.ndarray) -> TripletSet:
        return TripletSet(self.anchors[mask], self.positives[mask], self.negatives[mask])


def mine_triplets(
    queries: Sequence[ShopperQuery],
    query_vectors: np.ndarray,
    products: Sequence[Product],
    doc_vectors: np.ndarray,
    negatives_per_anchor: int = 2,
) -> TripletSet:
    """``query_vectors`` / ``doc_vectors`` are the *current* model's (for mining only)."""
    position = {p.item_id: i for i, p in enumerate(products)}
    by_type: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(products):
        by_type[p.product_type].append(i)
    anchors: list[int] = []
    positives: list[int] = []
    negatives: list[int] = []
    same_type = 0
    for qi, query in enumerate(queries):
        pos = position.get(query.item_id)
        if pos is None:
            continue
        source = products[pos]
        candidates = [
            i for i in by_type[source.product_type] if i != pos and not matches(products[i], query.asked)
        ]
        if candidates:
            same_type += 1
        else:  # a type with one product: fall back to the closest product of another type
            candidates = [i for i in range(len(products)) if products[i].product_type != source.product_type]
        if not candidates:
            continue
        scores = doc_vectors[candidates] @ query_vectors[qi]
        order = np.argsort(-scores)[:negatives_per_anchor]
        for j in order:
            anchors.append(qi)
            positives.append(pos)
            negatives.append(candidates[int(j)])
    as_array = lambda xs: np.asarray(xs, dtype=np.int64)  # noqa: E731
    return TripletSet(
        as_array(anchors), as_array(positives), as_array(negatives), same_type_negatives=same_type
    )
