"""Every degraded search is logged and counted, not only put on a span.

``record_degraded(reasons, mode)`` increments ``shoptalk_search_degraded_total{reason}`` once per
reason and logs ``search.degraded`` (a warning: an operator should see keyword-only serving).
Works the same in the gateway, the CLI and flows (the counter lives in the process's registry).
"""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import Counter

from ml.logging import get_logger

log = get_logger(__name__)

SEARCH_DEGRADED = Counter(
    "shoptalk_search_degraded_total",
    "Searches served degraded (a half missing, embedder down, model-version skew), by reason.",
    ["reason"],
)


def record_degraded(reasons: Sequence[str], mode: str = "") -> None:
    if not reasons:
        return
    for reason in dict.fromkeys(reasons):
        SEARCH_DEGRADED.labels(reason=reason).inc()
    log.warning("search.degraded", reasons=list(dict.fromkeys(reasons)), requested_mode=mode)
