"""Which float precision the embedding model runs in on this CPU.

bf16 autocast pays off only where the CPU has native bf16 matrix instructions: AMX
(``amx_bf16``) or AVX-512 BF16 (``avx512_bf16``) in ``/proc/cpuinfo``. Elsewhere torch emulates
bf16 and is slower than fp32, so ``auto`` picks fp32 there. The vectors are interchangeable:
MiniLM's bf16 vectors have cosine ≥ 0.999 to its fp32 vectors (tested), so the precision is not
part of the model version and an index built in one precision is searched in the other.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

Precision = Literal["bf16", "fp32"]
BF16_FLAGS = ("amx_bf16", "avx512_bf16")
CPUINFO = Path("/proc/cpuinfo")


def cpu_flags(cpuinfo: Path = CPUINFO) -> set[str]:
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()


@lru_cache(maxsize=1)
def cpu_has_bf16() -> bool:
    """Whether this CPU runs bf16 matrix maths natively (read once per process)."""
    return any(flag in cpu_flags() for flag in BF16_FLAGS)


def resolve_precision(setting: str, has_bf16: bool | None = None) -> Precision:
    """``auto`` → bf16 where the CPU has it, else fp32; ``bf16``/``fp32`` force either."""
    if setting not in ("auto", "bf16", "fp32"):
        raise ValueError(f"embed precision must be auto, bf16 or fp32, not {setting!r}")
    if setting == "auto":
        return "bf16" if (cpu_has_bf16() if has_bf16 is None else has_bf16) else "fp32"
    return "bf16" if setting == "bf16" else "fp32"
