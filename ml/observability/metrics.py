"""Prometheus metrics that the gateway's own ``services/gateway/metrics.py`` does not define.

The gateway module owns request, stage, LLM, degraded-answer and index-size metrics; the drift
flow exports ``shoptalk_drift_*`` (``ml/drift/exporter.py``). These cover the protective layer
(``services/gateway/security.py``): requests refused before they reach a route, and the current
in-flight load the shedder compares with its limit. Labels are fixed, small enums.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

REJECT_REASONS = ("unauthorized", "forbidden", "rate-limited", "overloaded", "body-too-large")

HTTP_REJECTED = Counter(
    "shoptalk_http_rejected_total",
    "Requests refused before routing, by reason (unauthorized|forbidden|rate-limited|overloaded|"
    "body-too-large).",
    ["reason"],
)
HTTP_INFLIGHT = Gauge("shoptalk_http_inflight_requests", "Requests being served right now (shedder input).")
HTTP_INFLIGHT_LIMIT = Gauge(
    "shoptalk_http_inflight_limit", "In-flight requests allowed before shedding with 503 (0: off)."
)
RATE_LIMITED_CLIENTS = Gauge(
    "shoptalk_rate_limit_clients", "Clients with a live token bucket (bounded by the limiter's LRU)."
)

for _reason in REJECT_REASONS:  # export zeros so alerts and dashboards see every series
    HTTP_REJECTED.labels(reason=_reason)
