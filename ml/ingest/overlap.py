"""A bounded producer/consumer: the caller's thread produces, one writer thread consumes.

Ingest uses it to write batch *n* into the indexes while batch *n + 1* is being embedded.
The queue holds at most ``depth`` produced items, so memory stays bounded when the consumer
is the slower side. Items are consumed in the order they were produced, one at a time.

Failures: when the consumer raises, production stops at the next item and the consumer's
error is raised; when the producer raises, what it already produced is still consumed (so a
resumable job keeps its finished batches) and then the producer's error is raised. The
consumer runs in a copy of the caller's ``contextvars`` context, so an orchestrator's run
context (a Prefect flow run) and the current tracing span carry over into it.
"""

from __future__ import annotations

import contextvars
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
_DONE = object()
_POLL_S = 0.1


@dataclass
class OverlapStats:
    items: int = 0
    produce_blocked_s: float = 0.0  # the queue was full: the consumer was the slower side
    consume_idle_s: float = 0.0  # the queue was empty: the producer was the slower side
    seconds: float = 0.0


class _Consumer(Generic[T]):
    def __init__(self, consume: Callable[[T], None], depth: int, stats: OverlapStats) -> None:
        self.consume = consume
        self.stats = stats
        self.queue: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
        self.error: BaseException | None = None
        self.failed = threading.Event()

    def run(self) -> None:
        while True:
            waited = time.perf_counter()
            item = self.queue.get()
            self.stats.consume_idle_s += time.perf_counter() - waited
            if item is _DONE:
                return
            try:
                self.consume(item)  # type: ignore[arg-type]
            except BaseException as exc:
                self.error = exc
                self.failed.set()
                return
            self.stats.items += 1

    def put(self, item: object) -> bool:
        """Hand an item over; False once the consumer has failed (stop producing)."""
        waited = time.perf_counter()
        try:
            while not self.failed.is_set():
                try:
                    self.queue.put(item, timeout=_POLL_S)
                    return True
                except queue.Full:
                    continue
            return False
        finally:
            if item is not _DONE:
                self.stats.produce_blocked_s += time.perf_counter() - waited


def run_overlapped(
    produced: Iterable[T], consume: Callable[[T], None], *, depth: int = 2, overlap: bool = True
) -> OverlapStats:
    """Consume every item of ``produced`` (iterated here) on a writer thread; see the module doc.

    ``overlap=False`` consumes each item in this thread right after producing it (the
    sequential baseline the benchmark compares against).
    """
    stats = OverlapStats()
    started = time.perf_counter()
    if not overlap:
        for item in produced:
            consume(item)
            stats.items += 1
        stats.seconds = time.perf_counter() - started
        return stats
    consumer: _Consumer[T] = _Consumer(consume, depth, stats)
    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(consumer.run,), name="ingest-writer", daemon=True)
    thread.start()
    try:
        for item in produced:
            if not consumer.put(item):
                break
    finally:
        consumer.put(_DONE)  # returns at once when the consumer already stopped
        thread.join()
        stats.seconds = time.perf_counter() - started
    if consumer.error is not None:
        raise consumer.error
    return stats
