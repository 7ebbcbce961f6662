"""Latency of the cross-encoder for one query × N real product documents, per thread count,
batch size and token cap: ``python -m ml.retrieval.rerank_bench --n 20 --threads 1 2``.

Documents come from the committed sample catalog (``rerank_document`` texts, as the searcher
sends them). Each setting gets a warm-up call, then ``--repeats`` timed calls; p50/p95/max in ms.
The machine's load average is printed with the table: shared CPUs make wall times noisy, so
each row also has the process CPU time (the cost on an idle core for one thread).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from statistics import median
from typing import Any

QUERIES = (
    "insulated stainless steel water bottle",
    "shockproof case for galaxy s21 with card holder",
    "comfortable running shoes for women",
    "oak dining table that seats six",
)


def _documents(n: int) -> list[str]:
    from ml.catalog.reader import read_catalog
    from ml.paths import SAMPLE_CATALOG
    from ml.retrieval.rerank import rerank_document

    return [rerank_document(p) for p in read_catalog(SAMPLE_CATALOG, limit=n).products]


def bench(
    n: int = 20,
    threads: tuple[int, ...] = (1, 2),
    batch_sizes: tuple[int, ...] = (5, 10, 20),
    max_tokens: tuple[int, ...] = (128, 160),
    repeats: int = 8,
    models_dir: Path | None = None,
) -> list[dict[str, Any]]:
    from ml.retrieval.rerank import CrossEncoderReranker

    documents = _documents(n)
    rows = []
    for thread_count in threads:
        for tokens in max_tokens:
            reranker = CrossEncoderReranker(
                threads=thread_count, max_tokens=tokens, budget_ms=None, models_dir=models_dir
            ).load()
            for batch in batch_sizes:
                reranker.batch_size = batch
                reranker.score(QUERIES[0], documents)  # warm-up
                times, cpu = [], []
                for i in range(repeats):
                    start, start_cpu = time.perf_counter(), time.process_time()
                    reranker.score(QUERIES[i % len(QUERIES)], documents)
                    times.append((time.perf_counter() - start) * 1000)
                    cpu.append((time.process_time() - start_cpu) * 1000)
                times.sort()
                rows.append(
                    {
                        "n": len(documents),
                        "threads": thread_count,
                        "max_tokens": tokens,
                        "batch": batch,
                        "p50_ms": round(median(times), 1),
                        "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 1),
                        "max_ms": round(times[-1], 1),
                        # CPU time of this process: what the call costs on an idle core, whatever
                        # the machine's load (for 1 thread ≈ quiet wall time; 2 threads add up).
                        "cpu_p50_ms": round(median(cpu), 1),
                    }
                )
    return rows


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - a measurement entry point
    parser = argparse.ArgumentParser(prog="python -m ml.retrieval.rerank_bench")
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch", type=int, nargs="+", default=[5, 10, 20])
    parser.add_argument("--max-tokens", type=int, nargs="+", default=[128, 160])
    parser.add_argument("--repeats", type=int, default=8)
    parser.add_argument("--models-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    rows = bench(
        args.n, tuple(args.threads), tuple(args.batch), tuple(args.max_tokens), args.repeats, args.models_dir
    )
    print(
        json.dumps({"loadavg_before": load_before, "loadavg_after": os.getloadavg(), "rows": rows}, indent=1)
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
