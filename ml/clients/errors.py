"""Errors raised by the service clients."""

from __future__ import annotations


class ServiceUnavailable(RuntimeError):
    """The service is down, timing out, answering 5xx, or its circuit breaker is open."""


class ServiceRequestError(ValueError):
    """The service rejected the request (4xx) — retrying would not help; ``reason`` says why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"[{status}] {reason}")
        self.status = status
        self.reason = reason
