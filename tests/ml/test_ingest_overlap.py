"""The ingest loop: embedding overlaps index writes (bounded), length-sorted batches, failures."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator, Sequence

import numpy as np
import pytest

from ml.catalog.document import document_text
from ml.catalog.product import Product
from ml.ingest.overlap import run_overlapped
from ml.ingest.pipeline import (
    EmbeddedBatch,
    WriteResult,
    embed_and_index,
    embed_batch,
    embed_in_order,
    length_sorted,
)

WAIT_S = 10.0


def test_items_are_consumed_in_order_on_another_thread() -> None:
    seen: list[tuple[int, str]] = []
    stats = run_overlapped(range(7), lambda i: seen.append((i, threading.current_thread().name)), depth=2)
    assert [i for i, _ in seen] == list(range(7)) and stats.items == 7
    assert {name for _, name in seen} == {"ingest-writer"}


def test_consumer_works_while_the_producer_produces_the_next_item() -> None:
    second_produced = threading.Event()
    overlapped: list[bool] = []

    def produce() -> Iterator[int]:
        yield 0
        second_produced.set()
        yield 1

    def consume(item: int) -> None:
        if item == 0:  # sequential code would never produce item 1 while this waits
            overlapped.append(second_produced.wait(WAIT_S))

    run_overlapped(produce(), consume, depth=1)
    assert overlapped == [True]


def test_sequential_mode_consumes_in_the_callers_thread() -> None:
    names: list[str] = []
    run_overlapped(range(3), lambda _: names.append(threading.current_thread().name), overlap=False)
    assert names == [threading.current_thread().name] * 3


def test_the_queue_is_bounded() -> None:
    produced = 0
    release = threading.Event()

    def produce() -> Iterator[int]:
        nonlocal produced
        for i in range(20):
            produced += 1
            yield i

    def consume(item: int) -> None:
        if item == 0:
            release.wait(0.5)
            # item 0 is being consumed, ``depth`` wait in the queue, one is blocked in put
            assert produced <= 2 + 2

    stats = run_overlapped(produce(), consume, depth=2)
    assert stats.items == 20 and stats.produce_blocked_s > 0


def test_a_failing_consumer_stops_production_and_raises() -> None:
    produced: list[int] = []

    def produce() -> Iterator[int]:
        for i in range(100):
            produced.append(i)
            yield i

    def consume(item: int) -> None:
        raise ValueError(f"index rejected batch {item}")

    with pytest.raises(ValueError, match="batch 0"):
        run_overlapped(produce(), consume, depth=2)
    assert len(produced) < 10


def test_a_failing_producer_still_writes_what_it_produced() -> None:
    written: list[int] = []

    def produce() -> Iterator[int]:
        yield 0
        yield 1
        raise RuntimeError("embedder died")

    with pytest.raises(RuntimeError, match="embedder died"):
        run_overlapped(produce(), written.append, depth=4)
    assert written == [0, 1]


def test_the_writer_runs_in_the_callers_context() -> None:
    run_name: contextvars.ContextVar[str] = contextvars.ContextVar("run_name", default="none")
    run_name.set("flow-run-42")
    seen: list[str] = []
    run_overlapped(range(2), lambda _: seen.append(run_name.get()))
    assert seen == ["flow-run-42", "flow-run-42"]


# ---------------------------------------------------------------------------- the ingest loop


def _product(i: int, words: int) -> Product:
    return Product(item_id=f"P{i:03d}", title=f"product {i} " + "word " * words)


class RecordingEmbedder:
    dim = 4
    model_version = "fake+identity"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.ones((len(texts), self.dim), dtype=np.float32) / 2.0


@pytest.mark.parametrize("overlap", [True, False])
def test_embed_and_index_writes_every_product_once_from_length_sorted_batches(overlap: bool) -> None:
    rng = np.random.default_rng(3)
    products = [_product(i, int(n)) for i, n in enumerate(rng.integers(0, 60, size=23))]
    embedder = RecordingEmbedder()
    written: list[EmbeddedBatch] = []
    progress: list[int] = []

    def write(embedded: EmbeddedBatch) -> WriteResult:
        written.append(embedded)
        return WriteResult(len(embedded.products), len(embedded.products), 0.0, 0.0)

    totals = embed_and_index(
        products,
        embed_in_order(lambda batch: embed_batch(batch, embedder)),
        write,
        batch_size=5,
        overlap=overlap,
        on_write=lambda t: progress.append(t.embedded),
    )
    assert (totals.embedded, totals.batches, totals.vector_indexed, totals.keyword_indexed) == (23, 5, 23, 23)
    assert progress == [5, 10, 15, 20, 23]
    lengths = [len(text) for call in embedder.calls for text in call]
    assert lengths == sorted(lengths, reverse=True)  # longest first, so batches pad little
    ids = [p.item_id for batch in written for p in batch.products]
    assert sorted(ids) == sorted(p.item_id for p in products)
    assert all(p.embedding_model == "fake+identity" for b in written for p in b.products)
    assert totals.as_dict()["overlap"] is overlap
    assert "vector" in totals.detail and "keyword" in totals.detail


def test_length_sorted_orders_by_document_length() -> None:
    products = [_product(0, 3), _product(1, 30), _product(2, 10)]
    assert [p.item_id for p in length_sorted(products)] == ["P001", "P002", "P000"]
    assert len(document_text(products[1])) > len(document_text(products[2]))
