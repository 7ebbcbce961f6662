"""Ranking metrics over graded judgments (ESCI-style grades 0–3, absent = 0).

nDCG uses gain ``2^grade − 1`` and log2 discounts, normalised by the ideal ordering of all
judged items. Recall and MRR count an item as relevant when its grade ≥ ``relevant_grade``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg(grades: Sequence[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def ndcg_at_k(ranked: Sequence[str], judgments: Mapping[str, int], k: int = 10) -> float:
    ideal = dcg(sorted((g for g in judgments.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([judgments.get(item, 0) for item in ranked[:k]]) / ideal


def recall_at_k(
    ranked: Sequence[str], judgments: Mapping[str, int], k: int = 10, relevant_grade: int = 1
) -> float:
    relevant = {item for item, g in judgments.items() if g >= relevant_grade}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def mrr_at_k(
    ranked: Sequence[str], judgments: Mapping[str, int], k: int = 10, relevant_grade: int = 1
) -> float:
    for position, item in enumerate(ranked[:k], start=1):
        if judgments.get(item, 0) >= relevant_grade:
            return 1.0 / position
    return 0.0
