"""Query-aware fusion weights: how much the keyword half may say, judged from its own hits.

BM25 always returns *something*. When a shopper describes a need in their own words ("keeps my
drinks cold all day"), the keyword half ranks listings that share a stray word ("all", "day")
and reciprocal-rank fusion lets that list outvote a good vector list. The signal that tells the
two cases apart is how much of the query the keyword half's best listings actually *say in their
strong fields* (title, brand, product type, colour/material/style, model name and number):

    coverage = max over the keyword half's top ``TOP_HITS`` of (query terms found / query terms)

A term is found when it equals a strong-field token, shares its stem (a light English suffix
strip), or — for terms of five letters or more — is one edit away from one (typos still count, as
tantivy's fuzzy clause already matched them). The keyword half's weight is then

    keyword_weight × (floor + (ceiling − floor) × coverage ** exponent)

``floor``/``ceiling``/``exponent`` are learned on generated queries of every kind over a catalog
the golden set was not written for (``python -m ml.evaluation.fusion_tuning``, which writes
``docs/benchmarks/fusion_tuning.json``); ``AdaptiveWeights()`` holds the learned values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ml.catalog.document import keyword_fields
from ml.catalog.identifiers import query_identifiers
from ml.catalog.product import Product
from ml.retrieval.tantivy_index import STOP_WORDS
from ml.retrieval.types import IndexHit
from ml.understanding.vocab import _within_one_edit as within_one_edit

TOP_HITS = 5
_TOKEN = re.compile(r"[\w]+", re.UNICODE)
_SUFFIXES = ("ing", "ers", "ies", "es", "ed", "er", "ly", "s")
# Words that say nothing about a listing: stop words and the phrases shoppers wrap a need in.
_FILLER = STOP_WORDS | frozenset(
    [
        "any",
        "do",
        "from",
        "have",
        "i",
        "its",
        "looking",
        "me",
        "my",
        "need",
        "please",
        "show",
        "some",
        "something",
        "want",
        "you",
        "your",
    ]
)


def _stem(token: str) -> str:
    for suffix in _SUFFIXES:
        if len(token) > len(suffix) + 2 and token.endswith(suffix):
            return token[: -len(suffix)]
    return token


def query_content_terms(query: str) -> list[str]:
    """Lower-case query words minus filler, plus compacted identifiers ("SM-G991B" → "smg991b")."""
    tokens = _TOKEN.findall(query.lower())
    content = [t for t in tokens if t not in _FILLER]
    return list(dict.fromkeys((content or tokens) + query_identifiers(query)))


def strong_tokens(product: Product) -> set[str]:
    """Tokens of the fields a listing is *about* — the keyword index's title, brand, category and
    attributes fields (colour, material, style, model name and number, compacted identifiers)."""
    fields = keyword_fields(product)
    return set(_TOKEN.findall(" ".join(v for k, v in fields.items() if k != "body").lower()))


def _found(term: str, tokens: set[str], stems: set[str]) -> bool:
    if term in tokens or _stem(term) in stems:
        return True
    return len(term) >= 5 and any(abs(len(t) - len(term)) <= 1 and within_one_edit(term, t) for t in tokens)


def term_coverage(query: str, hits: Sequence[IndexHit], top: int = TOP_HITS) -> float:
    """The largest share of the query's content terms one of the top ``top`` listings states."""
    terms = query_content_terms(query)
    if not terms or not hits:
        return 0.0
    best = 0.0
    for hit in hits[:top]:
        tokens = strong_tokens(hit.product)
        stems = {_stem(t) for t in tokens}
        share = sum(_found(t, tokens, stems) for t in terms) / len(terms)
        best = max(best, share)
        if best >= 1.0:
            break
    return best


@dataclass(frozen=True)
class AdaptiveWeights:
    """``keyword_weight × (floor + (ceiling − floor) × coverage ** exponent)``; learned defaults."""

    # Learned on generated queries over the seed-8 sample (docs/benchmarks/fusion_tuning.json):
    # a listing-less keyword list is ignored, a fully covering one counts twice.
    floor: float = 0.0
    ceiling: float = 2.0
    exponent: float = 0.5

    def keyword_factor(self, coverage: float) -> float:
        return self.floor + (self.ceiling - self.floor) * max(0.0, min(1.0, coverage)) ** self.exponent

    def weights(
        self, query: str, keyword_hits: Sequence[IndexHit], keyword_weight: float, vector_weight: float
    ) -> tuple[float, float, float]:
        """``(keyword weight, vector weight, coverage)`` for this query."""
        coverage = term_coverage(query, keyword_hits)
        return keyword_weight * self.keyword_factor(coverage), vector_weight, coverage


def grid(
    floors: Iterable[float], ceilings: Iterable[float], exponents: Iterable[float]
) -> list[AdaptiveWeights]:
    """Every combination (floor ≤ ceiling), the search space of the tuning run."""
    ceilings, exponents = list(ceilings), list(exponents)
    return [AdaptiveWeights(f, c, e) for f in floors for c in ceilings for e in exponents if f <= c]
