"""Prometheus metrics of the gateway. Labels are bounded: route templates, never raw paths."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_REQUESTS = Counter(
    "shoptalk_http_requests_total",
    "HTTP requests by route template, method and status.",
    ["route", "method", "status"],
)
HTTP_DURATION = Histogram(
    "shoptalk_http_request_duration_seconds",
    "HTTP request latency by route template.",
    ["route"],
    buckets=LATENCY_BUCKETS,
)
STAGE_DURATION = Histogram(
    "shoptalk_stage_duration_seconds",
    "Time per pipeline stage (understand, search, llm, answer).",
    ["stage"],
    buckets=LATENCY_BUCKETS,
)
DEGRADED_ANSWERS = Counter(
    "shoptalk_degraded_answers_total", "Chat answers served degraded, by reason.", ["reason"]
)
LLM_TOKENS = Counter("shoptalk_llm_tokens_total", "LLM tokens used, by kind (prompt|completion).", ["kind"])
LLM_REQUESTS = Counter(
    "shoptalk_llm_requests_total", "LLM calls by outcome (ok|llm-timeout|llm-error).", ["outcome"]
)
INDEX_DOCUMENTS = Gauge(
    "shoptalk_index_documents", "Documents in each index (refreshed on /readyz).", ["index"]
)
INTENTS = Counter("shoptalk_turn_intents_total", "Shopper turns by understood intent.", ["intent"])
HANDOFFS = Counter(
    "shoptalk_handoffs_opened_total", "Handoffs to a human agent opened, by reason.", ["reason"]
)
NO_MATCH = Counter("shoptalk_no_match_total", "Search turns where nothing in the catalog fit the need.")
SESSIONS_REISSUED = Counter(
    "shoptalk_sessions_reissued_total",
    "Chat turns that sent a session id this server did not sign (a new session was started).",
)
