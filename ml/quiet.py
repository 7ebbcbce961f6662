"""Process defaults for every ShopTalk process: offline, no telemetry, quiet, one OpenMP thread.

The CLI, the flows and the test suite apply them before importing model or orchestration
libraries; the environment overrides every one (``os.environ.setdefault``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

QUIET_ENV: Mapping[str, str] = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "DO_NOT_TRACK": "1",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "RAY_USAGE_STATS_ENABLED": "0",
    "TOKENIZERS_PARALLELISM": "false",
    "OMP_NUM_THREADS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "GRPC_VERBOSITY": "NONE",  # Milvus Lite's keepalive chatter; failures surface as exceptions
}


def apply_quiet_defaults(extra: Mapping[str, str] | None = None) -> None:
    """Set every :data:`QUIET_ENV` (and ``extra``) variable the environment does not set."""
    for key, value in {**QUIET_ENV, **(extra or {})}.items():
        os.environ.setdefault(key, value)
