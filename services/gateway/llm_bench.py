"""Time to first token and tokens/s of the local answer models, through the gateway's own client.

Each model runs behind the real llama.cpp server (:mod:`services.gateway.local_llm`); every request
is the prompt the gateway sends for a result list (rules + products JSON + computed facts), streamed
through :class:`services.gateway.llm.LLMClient`. Reports the machine and its load average, because
on a shared 2-core box the numbers move with the neighbours.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import time
from typing import Any

from ml.benchmarks.stats import load_average
from ml.catalog.product import Product
from services.gateway.llm import LLMClient, StreamState
from services.gateway.local_llm import LlamaServerProcess, start_local_llm
from services.gateway.prompt import answer_facts, build_messages

QUESTIONS = ("waterproof hiking boots", "a brass desk lamp under $60", "something for a gift")


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo").read().splitlines()  # noqa: SIM115
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


async def _one(client: LLMClient, messages: list[dict[str, str]], max_tokens: int) -> dict[str, float]:
    state = StreamState()
    start = time.perf_counter()
    first: float | None = None
    pieces = 0
    async for _delta in client.stream(messages, state, max_tokens=max_tokens):
        pieces += 1
        if first is None:
            first = time.perf_counter()
    end = time.perf_counter()
    tokens = state.usage.completion_tokens or pieces
    ttft = (first or end) - start
    return {
        "ttft_s": round(ttft, 3),
        "total_s": round(end - start, 3),
        "prompt_tokens": state.usage.prompt_tokens,
        "completion_tokens": tokens,
        "tokens_per_s": round((tokens - 1) / (end - first), 2)
        if first and end > first and tokens > 1
        else 0.0,
    }


# Published memory bandwidth of common inference GPUs (vendor data sheets), for the on-paper decode bound.
GPU_BANDWIDTH_GBS = {"T4": 320, "L4": 300, "A10G": 600, "A100-40GB": 1555}


def _summary(server: LlamaServerProcess, first_and_runs: list[dict[str, float]]) -> dict[str, Any]:
    cold, *runs = first_and_runs
    tps = statistics.median(r["tokens_per_s"] for r in runs)
    size = server.gguf.stat().st_size
    return {
        "model": server.model.alias,
        "gguf_bytes": size,
        "ttft_s_full_prompt": cold["ttft_s"],  # nothing cached: a shopper's first turn
        "runs": runs,
        "ttft_s_median": statistics.median(r["ttft_s"] for r in runs),
        "tokens_per_s_median": tps,
        "prompt_tokens_median": statistics.median(r["prompt_tokens"] for r in runs),
        # decoding reads every weight once per token: bytes x tokens/s is the memory traffic achieved
        "effective_gb_per_s": round(size * tps / 1e9, 2),
    }


def on_paper(models: dict[str, Any]) -> dict[str, Any]:
    """What a GPU changes, as a bandwidth roofline (an upper bound, not a measurement)."""
    return {
        "method": "decode is memory-bound: tokens/s <= bandwidth / weight bytes (same quantised file); "
        "prompt evaluation is compute-bound and moves from seconds on 2 CPU cores to tens of ms on a GPU",
        "gpu_bandwidth_gb_per_s": GPU_BANDWIDTH_GBS,
        "decode_tokens_per_s_upper_bound": {
            key: {gpu: round(bw * 1e9 / row["gguf_bytes"]) for gpu, bw in GPU_BANDWIDTH_GBS.items()}
            for key, row in models.items()
        },
    }


async def _interleaved(
    servers: dict[str, LlamaServerProcess], products: list[Product], repeats: int, max_tokens: int
) -> dict[str, list[dict[str, float]]]:
    """Round-robin over the models (A, B, A, B, ...) so a neighbour's load hits both alike."""
    clients = {
        key: LLMClient("sk-local", s.model.alias, s.base_url, timeout_s=600, max_retries=0)
        for key, s in servers.items()
    }
    runs: dict[str, list[dict[str, float]]] = {key: [] for key in servers}
    cold: dict[str, dict[str, float]] = {}
    shown = products[:5]
    try:
        for key, client in clients.items():
            # the first request evaluates the whole prompt (a first turn); later ones share its
            # products block through llama.cpp's prefix cache (a follow-up turn's case)
            warm = build_messages("show me what you have", shown, (), answer_facts(shown, intent="search"))
            cold[key] = await _one(client, warm, 8)
        for i in range(repeats):
            question = QUESTIONS[i % len(QUESTIONS)]
            messages = build_messages(question, shown, (), answer_facts(shown, intent="search"))
            for key, client in clients.items():
                runs[key].append(await _one(client, messages, max_tokens))
    finally:
        for client in clients.values():
            await client.aclose()
    return {key: [cold[key], *rows] for key, rows in runs.items()}


def run(
    keys: list[str], products: list[Product], repeats: int, max_tokens: int, threads: int
) -> dict[str, Any]:
    results: dict[str, Any] = {
        "machine": machine(),
        "threads": threads,
        "load_average_before": load_average(),
        "max_tokens": max_tokens,
        "repeats": repeats,
        "order": "interleaved round-robin over the models, both servers up, one request at a time",
        "tokens_counted_as": "usage.completion_tokens when the server reports it, else streamed deltas",
        "ttft": "ttft_s_full_prompt: the whole prompt evaluated; ttft_s_median: products block cached "
        "(llama.cpp prefix cache), only the question evaluated",
        "models": {},
    }
    servers: dict[str, LlamaServerProcess] = {}
    started = time.perf_counter()
    try:
        for key in keys:
            servers[key] = start_local_llm(key, timeout_s=600, threads=threads)
        runs = asyncio.run(_interleaved(servers, products, repeats, max_tokens))
        results["models"] = {key: _summary(servers[key], runs[key]) for key in keys}
    finally:
        for server in servers.values():
            server.stop()
    results["load_average_after"] = load_average()
    results["seconds"] = round(time.perf_counter() - started, 1)
    models = results["models"]
    if len(models) >= 2:
        first, *rest = list(models)

        def ratio(key: str, field: str) -> float | None:
            base = models[first][field]
            return round(models[key][field] / base, 3) if base else None

        results["ratios_vs_" + first] = {
            key: {"tokens_per_s": ratio(key, "tokens_per_s_median"), "ttft": ratio(key, "ttft_s_median")}
            for key in rest
        }
    results["gpu_on_paper"] = on_paper(models)
    return results
