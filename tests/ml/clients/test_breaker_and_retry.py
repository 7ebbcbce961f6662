"""Circuit breaker state machine and retry backoff."""

from __future__ import annotations

import pytest

from ml.clients.breaker import BreakerState, CircuitBreaker
from ml.clients.retry import RetryPolicy, is_retryable_status


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_threshold_and_half_opens_after_cooldown() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=3, reset_timeout_s=5.0, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.state is BreakerState.closed
    breaker.record_failure()
    assert breaker.state is BreakerState.open
    assert not breaker.allow()
    assert breaker.retry_after_s() == pytest.approx(5.0)

    clock.now += 5.0
    assert breaker.state is BreakerState.half_open
    assert breaker.allow()  # the single trial call
    assert not breaker.allow()  # no second concurrent trial
    breaker.record_success()
    assert breaker.state is BreakerState.closed
    assert breaker.allow()


def test_failed_trial_reopens_immediately() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=2, reset_timeout_s=1.0, clock=clock)
    breaker.record_failure()
    breaker.record_failure()
    clock.now += 1.5
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.open
    assert breaker.retry_after_s() == pytest.approx(1.0)


def test_success_resets_consecutive_failures() -> None:
    breaker = CircuitBreaker(failure_threshold=2, reset_timeout_s=1.0)
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state is BreakerState.closed


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    policy = RetryPolicy(retries=5, backoff_s=0.1, max_backoff_s=0.5)
    for attempt, base in [(1, 0.1), (2, 0.2), (3, 0.4), (4, 0.5), (5, 0.5)]:
        delays = [policy.delay(attempt) for _ in range(50)]
        assert all(0.75 * base <= d <= 1.25 * base for d in delays)


def test_only_5xx_statuses_are_retryable() -> None:
    assert all(is_retryable_status(s) for s in (500, 502, 503, 504))
    assert not any(is_retryable_status(s) for s in (200, 400, 404, 413, 422, 429))
