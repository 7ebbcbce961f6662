"""Retry policy: exponential backoff with jitter, on connection errors and 5xx only."""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx

RETRYABLE_STATUS = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 2
    backoff_s: float = 0.1
    max_backoff_s: float = 2.0

    def delay(self, attempt: int) -> float:
        """Sleep before retry number ``attempt`` (1-based): base·2^(attempt-1), ±25 % jitter."""
        base = min(self.max_backoff_s, self.backoff_s * (2 ** (attempt - 1)))
        return base * random.uniform(0.75, 1.25)


def is_retryable_exception(exc: BaseException) -> bool:
    return isinstance(exc, httpx.TransportError)  # connect/read/write errors and timeouts


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUS
