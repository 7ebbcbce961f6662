"""Process setup shared by the flows: Prefect state under the data dir, telemetry off.

Call :func:`configure_local_prefect` before ``prefect`` is imported. Locally the flows then
run on Prefect's ephemeral server (started on demand, nothing to run by hand) with its
database in ``SHOPTALK_DATA_DIR/prefect``; in the cluster ``PREFECT_API_URL`` is set and wins.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar, cast

from ml.quiet import QUIET_ENV

T = TypeVar("T")

QUIET_DEFAULTS = {
    **QUIET_ENV,
    "PREFECT_LOGGING_LEVEL": "WARNING",
    # The ephemeral server's first start migrates its SQLite database: slow on a busy 2-core box.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def configure_local_prefect(data_dir: str | Path) -> Path:
    """Point ``PREFECT_HOME`` at ``data_dir/prefect`` unless already configured; returns it."""
    for key, value in QUIET_DEFAULTS.items():
        os.environ.setdefault(key, value)
    home = Path(os.environ.setdefault("PREFECT_HOME", str(Path(data_dir).resolve() / "prefect")))
    home.mkdir(parents=True, exist_ok=True)
    return home


def prefect_flow_run_id() -> str | None:
    """The current Prefect flow run id, if any (recorded with the lineage run)."""
    try:
        from prefect.runtime import flow_run

        run_id = flow_run.id
    except Exception:
        return None
    return str(run_id) if run_id else None


def unvisited(value: T) -> T:
    """Hand a big value (product lists, arrays) to a task without Prefect walking through it.

    ``prefect.utilities.annotations.quote``; the task receives the value itself.
    """
    from prefect.utilities.annotations import quote

    return cast(T, quote(value))
