"""Interaction logs → sessions → (history, targets) examples on a held-out time split.

A session's history is the first half of the distinct items it viewed or asked about; its
targets are the later distinct items (add-to-cart relevance 2, view/ask 1). Sessions that
start before the cutoff train the ranker; those after it are the held-out test set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ml.recommend.synthetic import Event

WEIGHTS = {"view": 1.0, "ask": 1.0, "add_to_cart": 3.0}
MIN_ITEMS = 3


@dataclass
class SessionLog:
    session_id: str
    start: str
    items: list[str]  # distinct viewed/asked/carted items in first-seen order
    carted: set[str]


@dataclass
class Example:
    session_id: str
    history: list[str]
    relevance: dict[str, float]


def sessions_from_events(events: Sequence[Event]) -> list[SessionLog]:
    grouped: dict[str, SessionLog] = {}
    for e in sorted(events, key=lambda e: (e.ts, e.session_id)):
        log = grouped.setdefault(e.session_id, SessionLog(e.session_id, e.ts, [], set()))
        if e.item_id and e.event in WEIGHTS:
            if e.item_id not in log.items:
                log.items.append(e.item_id)
            if e.event == "add_to_cart":
                log.carted.add(e.item_id)
    return sorted(grouped.values(), key=lambda s: (s.start, s.session_id))


def time_split(
    sessions: Sequence[SessionLog], test_share: float = 0.25
) -> tuple[list[SessionLog], list[SessionLog], str]:
    """Earlier sessions train, the last ``test_share`` (by start time) are held out."""
    ordered = sorted(sessions, key=lambda s: (s.start, s.session_id))
    cut = int(len(ordered) * (1 - test_share))
    cutoff = ordered[cut].start if cut < len(ordered) else ordered[-1].start
    return [s for s in ordered if s.start < cutoff], [s for s in ordered if s.start >= cutoff], cutoff


def example(session: SessionLog) -> Example | None:
    if len(session.items) < MIN_ITEMS:
        return None
    half = max(1, len(session.items) // 2)
    history, rest = session.items[:half], session.items[half:]
    relevance = {i: 2.0 if i in session.carted else 1.0 for i in rest if i not in history}
    return Example(session.session_id, history, relevance) if relevance else None


def interactions(events: Sequence[Event], session_ids: set[str]) -> list[tuple[str, str, float]]:
    return [
        (e.item_id, e.product_type or "UNKNOWN", WEIGHTS[e.event])
        for e in events
        if e.item_id and e.event in WEIGHTS and e.session_id in session_ids
    ]
