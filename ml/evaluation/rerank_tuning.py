"""Learn how much of the fused order the quality profile keeps after reranking, on generated queries.

The cross-encoder alone reorders the fused top N by its own score; on product search that throws
away what fusion knew (an exact title or brand match it scores below a wordier listing). The
quality profile therefore orders the head by :func:`~ml.retrieval.rerank.blend_with_fused`: the
cross-encoder's position with weight 1 and the fused position with weight ``w``.

``python -m ml.evaluation.rerank_tuning`` builds the sample generator's catalog at another seed
(default 8, never the golden seed 7), writes shopper queries of every kind from it
(:mod:`ml.evaluation.generated`), runs each through the ``fast`` profile once and scores its
fused top N with the cross-encoder once, then replays every ``(w, k)`` on a grid. Queries are
split in two by a hash of their id (:func:`ml.evaluation.fusion_tuning.split_of`): the blend is
picked on the ``tune`` half (mean over kinds of nDCG@10) and reported on the ``check`` half;
``adopt`` says whether it also beats the cross-encoder alone there (the default follows it).
Output: ``docs/benchmarks/rerank_tuning.json``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ml.benchmarks.stats import load_average
from ml.evaluation.fusion_tuning import by_kind, split_of
from ml.evaluation.metrics import ndcg_at_k
from ml.retrieval.rerank import apply_scores, blend_with_fused
from ml.retrieval.types import Hit

WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
BLEND_KS = (5, 20, 60)
# (fused top N, the cross-encoder's score of each) per query id
Scored = dict[str, tuple[list[Hit], list[float]]]


def score_blend(
    scored: Scored, qrels: Mapping[str, Mapping[str, int]], weight: float | None, blend_k: int, k: int = 10
) -> dict[str, float]:
    """nDCG@k per query; ``weight=None`` is the fused order (the ``fast`` profile)."""
    out = {}
    for qid, (fused, scores) in scored.items():
        hits = (
            fused if weight is None else blend_with_fused(fused, apply_scores(fused, scores), weight, blend_k)
        )
        out[qid] = ndcg_at_k([h.item_id for h in hits], qrels[qid], k)
    return out


def tune(
    scored: Scored,
    qrels: Mapping[str, Mapping[str, int]],
    kinds: Mapping[str, str],
    weights: Sequence[float] = WEIGHTS,
    blend_ks: Sequence[int] = BLEND_KS,
) -> dict[str, Any]:
    split = {name: [q for q in scored if split_of(q) == name] for name in ("tune", "check")}

    def report(rows: Mapping[str, float]) -> dict[str, dict[str, float]]:
        return {name: by_kind(rows, kinds, qids) for name, qids in split.items()}

    # weight 0 is the cross-encoder alone whatever k is: scored once, not once per k
    rerank_only = score_blend(scored, qrels, 0.0, min(blend_ks))
    grid = [(by_kind(rerank_only, kinds, split["tune"])["macro"], 0.0, min(blend_ks), rerank_only)]
    for blend_k in blend_ks:
        for weight in (w for w in weights if w > 0):
            rows = score_blend(scored, qrels, weight, blend_k)
            grid.append((by_kind(rows, kinds, split["tune"])["macro"], weight, blend_k, rows))
    # best tune macro; among equals the smaller weight (closer to the plain cross-encoder)
    grid.sort(key=lambda item: (-item[0], item[1], item[2]))
    best_macro, best_weight, best_k, best_rows = grid[0]
    check_blend = by_kind(best_rows, kinds, split["check"])["macro"]
    check_alone = by_kind(rerank_only, kinds, split["check"])["macro"]
    return {
        # the blend is adopted only if the rule picked on one half also wins on the other
        "adopt": bool(best_weight > 0 and check_blend > check_alone),
        "check_macro": {"blend_best": check_blend, "rerank_only": check_alone},
        "queries": {name: len(qids) for name, qids in split.items()},
        "best": {"fused_weight": best_weight, "blend_k": best_k},
        "best_tune_macro": best_macro,
        "grid": [{"fused_weight": w, "blend_k": bk, "tune_macro": m} for m, w, bk, _ in grid],
        "ndcg@10": {
            "fast": report(score_blend(scored, qrels, None, 60)),
            "rerank_only": report(rerank_only),
            "blend_best": report(best_rows),
        },
    }


def collect(
    searcher: Any, reranker: Any, queries: Mapping[str, str], top_n: int, progress: Any = None
) -> Scored:
    """Each query's fused top ``top_n`` (fast profile) and the cross-encoder's scores of it, once."""
    from ml.retrieval.rerank import rerank_document

    scored: Scored = {}
    for qid, query in queries.items():
        fused = searcher.search(query, k=top_n, mode="hybrid", profile="fast").hits[:top_n]
        scores = reranker.score(query, [rerank_document(h.product) for h in fused]).tolist() if fused else []
        scored[qid] = (fused, [float(s) for s in scores])
        if progress is not None:
            progress()
    return scored


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - a measurement entry point
    from tqdm import tqdm

    from ml.config import Settings
    from ml.evaluation.generated import add_eval_set_arguments, eval_set_from_args
    from ml.evaluation.runner import fresh_index
    from ml.retrieval.rerank import CrossEncoderReranker

    parser = argparse.ArgumentParser(prog="python -m ml.evaluation.rerank_tuning")
    add_eval_set_arguments(parser, per_kind=40)
    parser.add_argument("--top-n", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2, help="cross-encoder threads (offline scoring)")
    parser.add_argument("--models-dir", type=Path, default=Path("data/models"))
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks/rerank_tuning.json"))
    args = parser.parse_args(argv)
    started, load_before = time.perf_counter(), load_average()
    with tempfile.TemporaryDirectory(prefix="shoptalk-rerank-tune-") as tmp:
        generated = eval_set_from_args(Path(tmp), args)
        queries, qrels, kinds = generated.queries, generated.qrels, generated.kinds
        settings = Settings(data_dir=Path(tmp) / "data", models_dir=args.models_dir)
        reranker = CrossEncoderReranker(
            threads=args.threads, budget_ms=None, models_dir=args.models_dir
        ).load()
        bar = tqdm(total=len(queries), desc="rerank")
        with fresh_index(generated.catalog, settings) as fresh, bar:
            scored = collect(fresh.searcher, reranker, queries, args.top_n, progress=bar.update)
    result = tune(scored, qrels, kinds)
    result.update(
        {
            **generated.provenance(),
            "top_n": args.top_n,
            "reranker": reranker.model_version,
            "grid_axes": {"fused_weight": WEIGHTS, "blend_k": BLEND_KS},
            "seconds": round(time.perf_counter() - started, 1),
            "loadavg_before": load_before,
            "loadavg_after": load_average(),
            "command": "python -m ml.evaluation.rerank_tuning",
        }
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("adopt", "best", "check_macro", "ndcg@10")}, indent=1))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
