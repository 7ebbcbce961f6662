"""Where bf16 autocast starts to pay for MiniLM: fp32 vs bf16 per batch size, in one process.

bf16 autocast (AMX / AVX512-BF16) triples document throughput, but casting costs a fixed amount
per forward pass, so one short shopper query is *slower* in bf16 than in fp32. This bench times
both precisions on the same texts — shopper-length queries and sample listings, batches of 1 to
32 — alternating the two models each repetition, and reports the padded token count of each batch
(what :data:`ml.embedding.sentence.BF16_MIN_TOKENS` is compared with) and the bf16/fp32 ratio.

``python -m ml.benchmarks.precision_crossover`` prints the table and writes
``docs/benchmarks/embed_precision.json`` with the machine and its load average.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from statistics import median
from typing import Any

from ml.benchmarks.stats import load_average, machine_info

QUERIES = (
    "insulated stainless steel water bottle",
    "shockproof case for galaxy s21",
    "grey sofa under 700",
    "running shoes for women not pink",
)
SIZES = (1, 2, 4, 8, 16, 32)


def _time_ms(embedder: Any, texts: list[str]) -> float:
    start = time.perf_counter()
    embedder.embed_base(texts)
    return (time.perf_counter() - start) * 1000


def run(threads: int = 2, repeats: int = 8) -> dict[str, Any]:
    from ml.catalog.document import document_text
    from ml.catalog.reader import read_catalog
    from ml.embedding.sentence import SentenceEmbedder
    from ml.paths import SAMPLE_CATALOG

    before = load_average()
    docs = [document_text(p) for p in read_catalog(SAMPLE_CATALOG).products[: max(SIZES)]]
    queries = [QUERIES[i % len(QUERIES)] + f" {i}" for i in range(max(SIZES))]
    # bf16_min_tokens=0: the bench measures bf16 itself, not the embedder's small-batch rule
    models = {p: SentenceEmbedder(threads=threads, precision=p, bf16_min_tokens=0) for p in ("fp32", "bf16")}
    tokenizer = models["fp32"].model.tokenizer
    rows = []
    for kind, pool in (("query", queries), ("listing", docs)):
        for n in SIZES:
            texts = pool[:n]
            lengths = [len(ids) for ids in tokenizer(texts, truncation=True, max_length=256)["input_ids"]]
            times: dict[str, list[float]] = {"fp32": [], "bf16": []}
            for model in models.values():
                model.embed_base(texts)  # warm-up
            for _ in range(repeats):
                for precision, model in models.items():
                    times[precision].append(_time_ms(model, texts))
            fp32, bf16 = median(times["fp32"]), median(times["bf16"])
            rows.append(
                {
                    "texts": kind,
                    "batch": n,
                    "padded_tokens": n * max(lengths),
                    "fp32_ms": round(fp32, 2),
                    "bf16_ms": round(bf16, 2),
                    "bf16_vs_fp32": round(bf16 / fp32, 3),
                }
            )
    return {
        "machine": machine_info(),
        "threads": threads,
        "repeats": repeats,
        "rows": rows,
        "load_average_before": before,
        "load_average_after": load_average(),
        "command": "python -m ml.benchmarks.precision_crossover",
    }


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - a measurement entry point
    parser = argparse.ArgumentParser(prog="python -m ml.benchmarks.precision_crossover")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=8)
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks/embed_precision.json"))
    args = parser.parse_args(argv)
    result = run(args.threads, args.repeats)
    print(f"{'texts':8} {'batch':>5} {'tokens':>7} {'fp32 ms':>8} {'bf16 ms':>8} {'bf16/fp32':>9}")
    for r in result["rows"]:
        print(
            f"{r['texts']:8} {r['batch']:5d} {r['padded_tokens']:7d} {r['fp32_ms']:8.1f} "
            f"{r['bf16_ms']:8.1f} {r['bf16_vs_fp32']:9.2f}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
