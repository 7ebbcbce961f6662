"""A small thread-safe circuit breaker: closed → open after N consecutive failures → half-open
after a cool-down (one trial call) → closed on success, open again on failure.

Every call that ``allow()`` let through must end in ``record_success``, ``record_failure`` or
``release_trial`` (cancelled), or a half-open breaker stays "trial in flight" for ever; the v2
clients do this in a ``try``/``except BaseException`` around the whole call."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    closed = "closed"
    open = "open"
    half_open = "half-open"


class CircuitBreaker:
    def __init__(
        self,
        failure_threshold: int = 3,
        reset_timeout_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be >= 1")
        self.failure_threshold = failure_threshold
        self.reset_timeout_s = reset_timeout_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state_locked()

    def _state_locked(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.closed
        if self._clock() - self._opened_at >= self.reset_timeout_s:
            return BreakerState.half_open
        return BreakerState.open

    def allow(self) -> bool:
        """May a call go ahead? In half-open, only one trial call at a time."""
        with self._lock:
            state = self._state_locked()
            if state is BreakerState.closed:
                return True
            if state is BreakerState.half_open and not self._trial_in_flight:
                self._trial_in_flight = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_in_flight = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            was_trial = self._trial_in_flight
            self._trial_in_flight = False
            if was_trial or self._failures >= self.failure_threshold:
                self._opened_at = self._clock()

    def release_trial(self) -> None:
        """The trial call ended without a verdict (cancelled): let the next caller try again.

        Neither a success nor a failure is recorded, so a cancelled trial can never leave the
        breaker refusing every call after the service has recovered."""
        with self._lock:
            self._trial_in_flight = False

    def retry_after_s(self) -> float:
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self.reset_timeout_s - (self._clock() - self._opened_at))
