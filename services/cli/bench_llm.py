"""``shoptalk bench llm``: time to first token and tokens/s of each local answer model on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from services.cli.bench import bench_app
from services.cli.common import console, write_json


@bench_app.command("llm")
def bench_llm(
    models: Annotated[
        list[str] | None, typer.Option("--model", help="smollm2 / qwen1.5b (repeatable).")
    ] = None,
    repeats: Annotated[int, typer.Option(min=1, max=50)] = 3,
    max_tokens: Annotated[int, typer.Option(min=8, max=1024)] = 128,
    threads: Annotated[
        int, typer.Option(min=1, max=64, help="llama.cpp threads (1 on a shared machine: see local_llm).")
    ] = 1,
    json_out: Annotated[Path, typer.Option("--json")] = Path("docs/benchmarks/llm.json"),
) -> None:
    """Stream the gateway's result-list prompt from the llama.cpp server; median TTFT and tokens/s."""
    from ml.catalog.reader import read_catalog
    from ml.paths import SAMPLE_CATALOG
    from services.gateway.llm_bench import run
    from services.gateway.local_llm import LocalLLMUnavailable

    products = read_catalog(SAMPLE_CATALOG, limit=20).products
    try:
        result = run(models or ["smollm2", "qwen1.5b"], products, repeats, max_tokens, threads)
    except LocalLLMUnavailable as exc:
        console.print(f"[red]local LLM unavailable: {exc}[/]")
        raise typer.Exit(1) from exc
    for key, row in result["models"].items():
        console.print(
            f"{key:10s} TTFT {row['ttft_s_full_prompt']:.2f} s (full prompt), {row['ttft_s_median']:.2f} s "
            f"(products cached)  {row['tokens_per_s_median']:.1f} tokens/s"
        )
    console.print(f"load average {result['load_average_before']} -> {result['load_average_after']}")
    write_json(json_out, result)
    console.print(f"wrote {json_out}")


def register(app: typer.Typer) -> None:
    """The command is attached to ``bench_app`` at import; nothing else to add."""
