"""What the cross-encoder costs per query, per setting, against a baseline in the same process.

``python -m ml.retrieval.rerank_bench`` scores one query × N real product documents (the
committed sample's ``rerank_document`` texts, as the searcher sends them) for every setting in
:data:`SETTINGS` — intra-op threads, batch size, token cap, N, graph optimisation level, thread
spinning — **interleaved** with the baseline (today's defaults): each round times every setting
once in a rotated order, so a burst of load on this shared machine hits them all alike. Per
setting: wall p50/p95, process CPU p50 (for one thread ≈ the wall time on an idle core), and
both as ratios to the baseline of the same rounds.

``--quality`` adds nDCG@10 per (token cap, N) on generated shopper queries of every kind over the
sample generator's catalog at seed 8 (never the golden set): hybrid top N, reranked, scored.
Writes ``docs/benchmarks/rerank.json`` with the machine's load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from statistics import mean, median
from typing import Any

from ml.benchmarks.stats import load_average, percentile

QUERIES = (
    "insulated stainless steel water bottle",
    "shockproof case for galaxy s21 with card holder",
    "comfortable running shoes for women",
    "oak dining table that seats six",
)


@dataclass(frozen=True)
class Setting:
    threads: int = 1
    batch: int = 5
    max_tokens: int = 128
    n: int = 20
    optimization: str = "all"
    spinning: bool = True

    @property
    def name(self) -> str:
        spin = "" if self.spinning else " nospin"
        return f"t{self.threads} b{self.batch} tok{self.max_tokens} n{self.n} opt-{self.optimization}{spin}"


BASELINE = Setting()
SETTINGS = (
    replace(BASELINE, threads=2),
    replace(BASELINE, batch=1),
    replace(BASELINE, batch=10),
    replace(BASELINE, batch=20),
    replace(BASELINE, max_tokens=96),
    replace(BASELINE, max_tokens=64),
    replace(BASELINE, optimization="extended"),
    replace(BASELINE, spinning=False),
    replace(BASELINE, n=30),
    replace(BASELINE, max_tokens=64, threads=2),
    replace(BASELINE, max_tokens=64, threads=2, batch=10),
    replace(BASELINE, max_tokens=64, threads=2, batch=20),
    replace(BASELINE, max_tokens=64, threads=2, spinning=False),
    replace(BASELINE, max_tokens=96, threads=2, batch=10),
)


def _documents(n: int) -> list[str]:
    from ml.catalog.reader import read_catalog
    from ml.paths import SAMPLE_CATALOG
    from ml.retrieval.rerank import rerank_document

    return [rerank_document(p) for p in read_catalog(SAMPLE_CATALOG, limit=n).products]


def _percentile(values: Sequence[float], q: float) -> float:
    """``q`` in 0..1, one decimal, 0.0 for no values (:func:`ml.benchmarks.stats.percentile`)."""
    return round(percentile(values, q * 100), 1) if values else 0.0


def _reranker(setting: Setting, models_dir: Path | None) -> Any:
    from ml.retrieval.rerank import CrossEncoderReranker

    return CrossEncoderReranker(
        threads=setting.threads,
        batch_size=setting.batch,
        max_tokens=setting.max_tokens,
        budget_ms=None,
        models_dir=models_dir,
        optimization=setting.optimization,
        allow_spinning=setting.spinning,
    ).load()


def latency(
    settings: tuple[Setting, ...] = SETTINGS, rounds: int = 10, models_dir: Path | None = None
) -> list[dict[str, Any]]:
    """Interleaved A/B: every round times the baseline and each setting once (rotated order)."""
    every = (BASELINE, *settings)
    documents = _documents(max(s.n for s in every))
    rerankers = {s: _reranker(s, models_dir) for s in every}
    for s, reranker in rerankers.items():  # warm-up
        reranker.score(QUERIES[0], documents[: s.n])
    wall: dict[Setting, list[float]] = defaultdict(list)
    cpu: dict[Setting, list[float]] = defaultdict(list)
    for r in range(rounds):
        order = every[r % len(every) :] + every[: r % len(every)]
        for s in order:
            start, start_cpu = time.perf_counter(), time.process_time()
            rerankers[s].score(QUERIES[r % len(QUERIES)], documents[: s.n])
            wall[s].append((time.perf_counter() - start) * 1000)
            cpu[s].append((time.process_time() - start_cpu) * 1000)
    base_wall, base_cpu = median(wall[BASELINE]), median(cpu[BASELINE])
    rows = []
    for s in every:
        rows.append(
            {
                "setting": s.name,
                **asdict(s),
                "p50_ms": round(median(wall[s]), 1),
                "p95_ms": _percentile(wall[s], 0.95),
                "cpu_p50_ms": round(median(cpu[s]), 1),
                "wall_ratio": round(median(wall[s]) / base_wall, 3),
                "cpu_ratio": round(median(cpu[s]) / base_cpu, 3),
            }
        )
    return rows


def quality(
    pairs: tuple[tuple[int, int], ...], per_kind: int = 15, models_dir: Path | None = None, seed: int = 8
) -> dict[str, Any]:
    """nDCG@10 per (max_tokens, N) on generated queries over the seed-``seed`` sample catalog."""
    import tempfile

    from ml.config import Settings
    from ml.evaluation.generated import sample_eval_set
    from ml.evaluation.metrics import ndcg_at_k
    from ml.evaluation.runner import fresh_index

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="shoptalk-rerank-quality-") as tmp:
        generated = sample_eval_set(Path(tmp), seed=seed, per_kind=per_kind, query_seed=2)
        catalog, queries, qrels, kinds = (
            generated.catalog,
            generated.queries,
            generated.qrels,
            generated.kinds,
        )
        with fresh_index(catalog, Settings(data_dir=Path(tmp) / "data")) as fresh:
            pool = max(n for _, n in pairs)
            fused = {q: fresh.searcher.search(t, k=pool, profile="fast").hits for q, t in queries.items()}

        def table(rows: dict[str, float]) -> dict[str, float]:
            groups: dict[str, list[float]] = defaultdict(list)
            for qid, value in rows.items():
                groups[kinds[qid]].append(value)
            result = {kind: round(mean(v), 4) for kind, v in sorted(groups.items())}
            return result | {"all": round(mean(rows.values()), 4)}

        out["fast"] = table({q: ndcg_at_k([h.item_id for h in fused[q]], qrels[q], 10) for q in queries})
        for tokens, n in pairs:
            reranker = _reranker(replace(BASELINE, max_tokens=tokens, n=n), models_dir)
            rows = {
                q: ndcg_at_k([h.item_id for h in reranker.rerank(queries[q], fused[q], n)], qrels[q], 10)
                for q in queries
            }
            out[f"tok{tokens} n{n}"] = table(rows)
        out["queries"] = len(queries)
    return out


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - a measurement entry point
    parser = argparse.ArgumentParser(prog="python -m ml.retrieval.rerank_bench")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--models-dir", type=Path, default=None)
    parser.add_argument("--quality", action="store_true", help="nDCG per token cap and N (slow)")
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks/rerank.json"))
    args = parser.parse_args(argv)
    started, load_before = time.perf_counter(), load_average()
    result: dict[str, Any] = {
        "baseline": BASELINE.name,
        "rows": latency(SETTINGS, args.rounds, args.models_dir),
    }
    result["latency_seconds"] = round(time.perf_counter() - started, 1)
    if args.quality:
        pairs = ((128, 20), (96, 20), (64, 20), (128, 30), (64, 30))
        result["quality_ndcg@10"] = quality(pairs, models_dir=args.models_dir)
    result.update(
        {
            "loadavg_before": load_before,
            "loadavg_after": load_average(),
            "cpu_count": os.cpu_count(),
            "seconds": round(time.perf_counter() - started, 1),
            "command": "python -m ml.retrieval.rerank_bench" + (" --quality" if args.quality else ""),
        }
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
