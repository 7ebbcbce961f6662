"""Learn the query-aware fusion rule on generated queries, never on the golden set.

``python -m ml.evaluation.fusion_tuning`` builds the sample generator's catalog at another seed
(default 8: different products, prices and wordings from the committed seed-7 sample), writes
shopper queries of every kind from it (:mod:`ml.evaluation.generated`), runs each query once per
half, and scores fused top 10s for every :class:`~ml.retrieval.fusion_weights.AdaptiveWeights`
on a grid plus static RRF. Queries are split in two by a hash of their id: the rule is picked
on the ``tune`` half (the mean over kinds of nDCG@10, so the big kinds don't outvote the rest)
and reported on the ``check`` half. Output: ``docs/benchmarks/fusion_tuning.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import tempfile
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from statistics import mean
from typing import Any

from ml.benchmarks.stats import load_average
from ml.evaluation.metrics import ndcg_at_k
from ml.retrieval.fusion import reciprocal_rank_fusion
from ml.retrieval.fusion_weights import AdaptiveWeights, grid, term_coverage
from ml.retrieval.types import IndexHit

FLOORS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0)
CEILINGS = (1.0, 1.5, 2.0)
EXPONENTS = (0.5, 1.0, 2.0, 3.0)
Halves = dict[str, tuple[list[IndexHit], list[IndexHit]]]


def split_of(qid: str) -> str:
    return "tune" if int(hashlib.sha256(qid.encode()).hexdigest()[:8], 16) % 2 == 0 else "check"


def score_rule(
    rule: AdaptiveWeights | None,
    halves: Halves,
    coverage: Mapping[str, float],
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, int]],
    k: int = 10,
) -> dict[str, float]:
    """nDCG@k per query of the fused top k; ``rule=None`` is static RRF (both weights 1)."""
    out = {}
    for qid, (keyword, vector) in halves.items():
        weight = 1.0 if rule is None else rule.keyword_factor(coverage[qid])
        fused = reciprocal_rank_fusion(keyword, vector, keyword_weight=weight, limit=k)
        out[qid] = ndcg_at_k([h.item_id for h in fused], qrels[qid], k)
    return out


def by_kind(rows: Mapping[str, float], kinds: Mapping[str, str], qids: Sequence[str]) -> dict[str, float]:
    groups: dict[str, list[float]] = defaultdict(list)
    for qid in qids:
        groups[kinds[qid]].append(rows[qid])
    table = {kind: round(mean(values), 4) for kind, values in sorted(groups.items())}
    table["macro"] = round(mean(table.values()), 4) if table else 0.0
    table["all"] = round(mean(rows[q] for q in qids), 4) if qids else 0.0
    return table


def collect_halves(searcher: Any, queries: Mapping[str, str], pool: int = 50) -> Halves:
    """Each half's hits once per query (fusion is then replayed for every rule)."""
    qids = list(queries)
    vectors = searcher.embedder.embed([queries[q] for q in qids])  # one batch, not one call a query
    return {
        qid: (searcher.keyword.search(queries[qid], pool), searcher.vector.search(vector, pool))
        for qid, vector in zip(qids, vectors, strict=True)
    }


def tune(
    halves: Halves,
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, int]],
    kinds: Mapping[str, str],
    rules: Sequence[AdaptiveWeights],
) -> dict[str, Any]:
    coverage = {qid: term_coverage(queries[qid], halves[qid][0]) for qid in halves}
    split = {name: [q for q in halves if split_of(q) == name] for name in ("tune", "check")}
    single = {
        half: {qid: ndcg_at_k([h.item_id for h in halves[qid][i][:10]], qrels[qid], 10) for qid in halves}
        for i, half in enumerate(("keyword", "vector"))
    }
    static = score_rule(None, halves, coverage, queries, qrels)
    scored = []
    for rule in rules:
        rows = score_rule(rule, halves, coverage, queries, qrels)
        scored.append((by_kind(rows, kinds, split["tune"])["macro"], rule, rows))
    scored.sort(key=lambda item: -item[0])
    best_macro, best, best_rows = scored[0]
    default_rows = score_rule(AdaptiveWeights(), halves, coverage, queries, qrels)

    def report(rows: Mapping[str, float]) -> dict[str, dict[str, float]]:
        return {name: by_kind(rows, kinds, qids) for name, qids in split.items()}

    coverage_by_kind: dict[str, list[float]] = defaultdict(list)
    for qid, value in coverage.items():
        coverage_by_kind[kinds[qid]].append(value)
    return {
        "queries": {name: len(qids) for name, qids in split.items()},
        "best": asdict(best),
        "best_tune_macro": best_macro,
        "top5": [{"rule": asdict(r), "tune_macro": m} for m, r, _ in scored[:5]],
        "ndcg@10": {
            "keyword": report(single["keyword"]),
            "vector": report(single["vector"]),
            "static_rrf": report(static),
            "adaptive_best": report(best_rows),
            "adaptive_default": report(default_rows),
        },
        "mean_coverage_by_kind": {k: round(mean(v), 3) for k, v in sorted(coverage_by_kind.items())},
    }


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - a measurement entry point
    from ml.config import Settings
    from ml.evaluation.generated import add_eval_set_arguments, eval_set_from_args
    from ml.evaluation.runner import fresh_index

    parser = argparse.ArgumentParser(prog="python -m ml.evaluation.fusion_tuning")
    add_eval_set_arguments(parser, per_kind=80)
    parser.add_argument("--embedding-model", default="minilm")
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks/fusion_tuning.json"))
    parser.add_argument(
        "--cache", type=Path, default=None, help="pickle of each half's hits: reused if present"
    )
    args = parser.parse_args(argv)
    started, load_before = time.perf_counter(), load_average()
    with tempfile.TemporaryDirectory(prefix="shoptalk-fusion-tune-") as tmp:
        generated = eval_set_from_args(Path(tmp), args)
        queries, qrels, kinds = generated.queries, generated.qrels, generated.kinds
        settings = Settings(data_dir=Path(tmp) / "data", embedding_model=args.embedding_model)
        if args.cache is not None and args.cache.exists():
            halves, model_version = pickle.loads(args.cache.read_bytes())
        else:
            with fresh_index(generated.catalog, settings) as fresh:
                halves = collect_halves(fresh.searcher, queries)
                model_version = fresh.searcher.embedder.model_version if fresh.searcher.embedder else ""
            if args.cache is not None:
                args.cache.write_bytes(pickle.dumps((halves, model_version)))
    result = tune(halves, queries, qrels, kinds, grid(FLOORS, CEILINGS, EXPONENTS))
    result.update(
        {
            **generated.provenance(),
            "embedding_model": model_version,
            "grid": {"floors": FLOORS, "ceilings": CEILINGS, "exponents": EXPONENTS},
            "seconds": round(time.perf_counter() - started, 1),
            "loadavg_before": load_before,
            "loadavg_after": load_average(),
            "command": "python -m ml.evaluation.fusion_tuning",
        }
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("best", "top5", "ndcg@10")}, indent=1))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
