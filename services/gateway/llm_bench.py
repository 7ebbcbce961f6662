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


async def bench_server(
    server: LlamaServerProcess, products: list[Product], repeats: int, max_tokens: int
) -> dict[str, Any]:
    client = LLMClient("sk-local", server.model.alias, server.base_url, timeout_s=300, max_retries=0)
    runs = []
    try:
        shown = products[:5]
        warm = build_messages(QUESTIONS[0], shown, (), answer_facts(shown, intent="search"))
        await _one(client, warm, 8)  # load + first prompt eval off the clock
        for i in range(repeats):
            question = QUESTIONS[i % len(QUESTIONS)]
            messages = build_messages(question, shown, (), answer_facts(shown, intent="search"))
            runs.append(await _one(client, messages, max_tokens))
    finally:
        await client.aclose()
    return {
        "model": server.model.alias,
        "gguf_bytes": server.gguf.stat().st_size,
        "runs": runs,
        "ttft_s_median": statistics.median(r["ttft_s"] for r in runs),
        "tokens_per_s_median": statistics.median(r["tokens_per_s"] for r in runs),
        "prompt_tokens_median": statistics.median(r["prompt_tokens"] for r in runs),
    }


def run(
    keys: list[str], products: list[Product], repeats: int, max_tokens: int, threads: int
) -> dict[str, Any]:
    results: dict[str, Any] = {
        "machine": machine(),
        "threads": threads,
        "load_average_before": list(os.getloadavg()),
        "max_tokens": max_tokens,
        "models": {},
    }
    for key in keys:
        server = start_local_llm(key, timeout_s=300, threads=threads)
        try:
            results["models"][key] = asyncio.run(bench_server(server, products, repeats, max_tokens))
        finally:
            server.stop()
    results["load_average_after"] = list(os.getloadavg())
    return results
