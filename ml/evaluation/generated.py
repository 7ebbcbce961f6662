"""Graded shopper queries per kind, generated from any catalog's own listings.

The golden set is hand-written for one sample catalog; tuning on it would fit those 96 queries.
This module writes queries of the golden set's kinds from a catalog's fields, with judgments
from the same fields, so a fusion rule or an adapter can be learned on one catalog (e.g. the
generator's sample at another seed) and checked on the golden set without ever seeing it:

* ``keyword`` — 3–5 consecutive title words; grade 2 for same-type products whose title has them all;
* ``attribute`` / ``brand`` — colour, material, style, brand + a shopper noun
  (:func:`ml.training.queries.queries_for`), grade 2 for same-type products with those attributes;
* ``identifier`` — the model number, hyphens kept or dropped, or brand + model name;
* ``typo`` — a keyword or attribute query with one edit in a long word (same judgments);
* ``paraphrase`` — what a bullet says, without the title's words ("grips wet and uneven ground");
  grade 2 for same-type products with that bullet;
* ``question`` — the shopper noun + "that" + a bullet's need (+ the device it fits).

The source listing is always grade 3.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ml.catalog.identifiers import compact
from ml.catalog.product import Product
from ml.training.queries import matches, queries_for

KINDS = ("keyword", "attribute", "brand", "identifier", "typo", "paraphrase", "question")
_WORD = re.compile(r"[a-z0-9][a-z0-9'&-]*")
_FILLER = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "for",
        "with",
        "to",
        "in",
        "on",
        "is",
        "it",
        "its",
        "your",
        "you",
        "our",
        "this",
        "that",
        "from",
        "by",
        "or",
        "as",
        "at",
        "be",
    ]
)
_ATTRIBUTE_KINDS = {
    "color": "attribute",
    "material": "attribute",
    "color+material": "attribute",
    "style+color": "attribute",
    "need": "attribute",
    "brand": "brand",
    "color+brand": "brand",
}


@dataclass(frozen=True)
class GeneratedQuery:
    qid: str
    text: str
    kind: str
    item_id: str
    product_type: str
    asked: dict[str, str] = field(default_factory=dict)  # attributes, as ml.training.queries.matches
    title_terms: tuple[str, ...] = ()  # keyword: every one in a same-type title → grade 2
    bullet: str | None = None  # paraphrase / question: same-type products with this bullet → grade 2
    model: str | None = None  # identifier: products with this compacted model number → grade 3
    device: str | None = None  # question naming the device: grade 2 needs the same model name


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _norm(text: str) -> str:
    return " ".join(_words(text))


def _rng(*parts: str) -> random.Random:
    return random.Random(int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:12], 16))


def _typo(text: str, rng: random.Random) -> str | None:
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return None
    i = rng.choice(long)
    w = words[i]
    j = rng.randint(1, len(w) - 2)
    edit = rng.choice(("drop", "swap", "double"))
    if edit == "drop":
        w = w[:j] + w[j + 1 :]
    elif edit == "swap":
        w = w[: j - 1] + w[j] + w[j - 1] + w[j + 1 :]
    else:
        w = w[:j] + w[j] + w[j:]
    words[i] = w
    return " ".join(words)


def _bullet_phrase(product: Product, rng: random.Random) -> tuple[str, str] | None:
    """(bullet, phrase): 3–6 consecutive bullet words, at least two of them absent from the title."""
    title = set(_words(product.title)) | set(_words(product.brand or ""))
    options = []
    for bullet in product.bullets:
        words = _words(bullet.split(";")[0].split(":")[-1])
        new = [w for w in words if w not in title and w not in _FILLER and not any(c.isdigit() for c in w)]
        if len(words) >= 3 and len(new) >= 2:
            options.append((bullet, words))
    if not options:
        return None
    bullet, words = rng.choice(options)
    size = min(len(words), rng.randint(3, 6))
    start = rng.randint(0, len(words) - size)
    span = words[start : start + size]
    while span and span[0] in _FILLER:
        span = span[1:]
    if len([w for w in span if w not in title and w not in _FILLER]) < 2:
        span = words[:6]
    return bullet, " ".join(span)


def _noun(product: Product) -> str:
    words = _words(product.display_type)
    return words[-1] if words else "item"


def queries_of_kind(product: Product, kind: str, seed: int = 0) -> GeneratedQuery | None:
    """One query of ``kind`` for ``product``, or ``None`` when its fields cannot make one."""
    rng = _rng(product.item_id, kind, str(seed))
    qid = f"{product.item_id}:{kind}"

    def make(text: str, **extra: Any) -> GeneratedQuery:
        return GeneratedQuery(qid, text, kind, product.item_id, product.product_type, **extra)

    if kind in ("keyword", "typo") and (kind == "keyword" or rng.random() < 0.5):
        words = [w for w in _words(product.title) if w not in _FILLER]
        if len(words) < 3:
            return None
        size = min(len(words), rng.randint(3, 5))
        start = rng.randint(0, len(words) - size)
        text = " ".join(words[start : start + size])
        if kind == "typo":
            typo = _typo(text, rng)
            return make(typo, title_terms=tuple(text.split())) if typo else None
        return make(text, title_terms=tuple(text.split()))
    if kind in ("attribute", "brand", "typo"):
        wanted = {"attribute", "typo"} if kind == "typo" else {kind}
        options = [
            q
            for q in queries_for(product, per_product=8, seed=seed)
            if _ATTRIBUTE_KINDS.get(q.kind) in wanted
        ]
        if not options:
            return None
        picked = rng.choice(options)
        asked_text = picked.text if kind != "typo" else _typo(picked.text, rng)
        return make(asked_text, asked=dict(picked.asked)) if asked_text else None
    if kind == "identifier":
        number = product.model_number
        if number and rng.random() < 0.7:
            text = number if rng.random() < 0.5 else compact(number)
            return make(text.lower(), model=compact(number))
        if product.model_name and product.brand and any(c.isdigit() for c in product.model_name):
            text = f"{product.brand} {product.model_name}".lower()
            return make(text, asked={"type": product.product_type, "brand": product.brand})
        return None
    if kind in ("paraphrase", "question"):
        found = _bullet_phrase(product, rng)
        if found is None:
            return None
        bullet, phrase = found
        if kind == "paraphrase":
            text = phrase if rng.random() < 0.5 else f"{_noun(product)} that {phrase}"
        else:
            device = product.model_name if product.model_name and rng.random() < 0.5 else None
            opener = rng.choice(("any", "do you have a", "i need a"))
            text = f"{opener} {_noun(product)} that {phrase}" + (f" for {device}" if device else "")
            return make(text.lower(), bullet=_norm(bullet), device=device)
        return make(text.lower(), bullet=_norm(bullet))
    raise ValueError(f"unknown query kind {kind!r}")


def generate(products: Sequence[Product], per_kind: int = 80, seed: int = 0) -> list[GeneratedQuery]:
    """Up to ``per_kind`` queries of every kind, each from a different product (seeded sample)."""
    order = list(products)
    random.Random(seed).shuffle(order)
    out: list[GeneratedQuery] = []
    for kind in KINDS:
        made = 0
        for product in order:
            if made >= per_kind:
                break
            query = queries_of_kind(product, kind, seed)
            if query is not None and query.text.strip():
                out.append(query)
                made += 1
    return out


def judge(query: GeneratedQuery, corpus: Iterable[Product]) -> dict[str, int]:
    """Graded judgments from the catalog's fields (see the module docstring)."""
    grades = {query.item_id: 3}
    for product in corpus:
        if product.item_id == query.item_id:
            continue
        if query.model is not None:
            if compact(product.model_number or "") == query.model:
                grades[product.item_id] = 3
            continue
        if product.product_type != query.product_type:
            continue
        if query.device is not None and product.model_name != query.device:
            continue
        if (
            (query.asked and len(query.asked) > 1 and matches(product, query.asked))
            or (query.title_terms and set(query.title_terms) <= set(_words(product.title)))
            or (query.bullet is not None and any(_norm(b) == query.bullet for b in product.bullets))
        ):
            grades[product.item_id] = 2
    return grades


def as_eval_set(
    queries: Sequence[GeneratedQuery], corpus: Sequence[Product]
) -> tuple[dict[str, str], dict[str, dict[str, int]], dict[str, str]]:
    """``(queries, qrels, kinds)`` in the shape :func:`ml.evaluation.runner.evaluate_searcher` takes."""
    return (
        {q.qid: q.text for q in queries},
        {q.qid: judge(q, corpus) for q in queries},
        {q.qid: q.kind for q in queries},
    )


@dataclass(frozen=True)
class GeneratedEvalSet:
    """A catalog and shopper queries generated from it, judged (see :func:`sample_eval_set`)."""

    catalog: Path
    source: str  # the catalog path given, or "sample generator seed N"
    query_seed: int
    products: list[Product]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    kinds: dict[str, str]

    def provenance(self) -> dict[str, Any]:
        """What a tuning JSON records about the set it was learned on."""
        return {"catalog": self.source, "products": len(self.products), "query_seed": self.query_seed}


def sample_eval_set(
    workdir: Path, *, seed: int, per_kind: int, query_seed: int, catalog: Path | None = None
) -> GeneratedEvalSet:
    """Queries of every kind generated from ``catalog`` — by default the sample generator's catalog
    at ``seed`` written under ``workdir`` (another seed than the golden set's, so tuning never sees
    the golden catalog)."""
    from ml.catalog.reader import read_catalog
    from ml.sample import generate as sample_generate

    source = str(catalog) if catalog is not None else f"sample generator seed {seed}"
    if catalog is None:
        catalog = workdir / "abo"
        sample_generate.main(
            ["--out", str(catalog), "--golden", str(workdir / "golden"), "--seed", str(seed)]
        )
    products = read_catalog(catalog).products
    queries, qrels, kinds = as_eval_set(generate(products, per_kind=per_kind, seed=query_seed), products)
    return GeneratedEvalSet(catalog, source, query_seed, products, queries, qrels, kinds)


def add_eval_set_arguments(parser: argparse.ArgumentParser, per_kind: int) -> None:
    """The command-line options of :func:`eval_set_from_args` (the tuning commands share them)."""
    parser.add_argument("--catalog", type=Path, default=None, help="an ABO root (default: sample at --seed)")
    parser.add_argument("--seed", type=int, default=8, help="sample generator seed (golden is 7)")
    parser.add_argument("--per-kind", type=int, default=per_kind)
    parser.add_argument("--query-seed", type=int, default=1)


def eval_set_from_args(workdir: Path, args: argparse.Namespace) -> GeneratedEvalSet:
    return sample_eval_set(
        workdir, seed=args.seed, per_kind=args.per_kind, query_seed=args.query_seed, catalog=args.catalog
    )
