"""Small timing helpers shared by the benchmark suites."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def percentiles_ms(samples_s: list[float]) -> dict[str, float]:
    arr = np.asarray(samples_s, dtype=np.float64) * 1000
    if arr.size == 0:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "mean_ms": 0.0, "n": 0}
    return {
        "p50_ms": round(float(np.percentile(arr, 50)), 3),
        "p95_ms": round(float(np.percentile(arr, 95)), 3),
        "p99_ms": round(float(np.percentile(arr, 99)), 3),
        "mean_ms": round(float(arr.mean()), 3),
        "n": int(arr.size),
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def machine_info() -> dict[str, Any]:
    import os

    import torch

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
    }
