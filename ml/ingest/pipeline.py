"""The ingestion pipeline as plain, batched, idempotent stages (the Prefect flow wraps these).

Idempotent by ``item_id``: both indexes upsert, so re-running adds nothing twice. Incremental
by default: a product already in both indexes with the current embedding model version is
skipped, so a killed run, re-run, finishes the rest and ends with the same counts. A new model
version (a promoted adapter) makes every product stale, which triggers a re-embed.

Embed+index is one loop, :func:`embed_and_index`, which the Prefect flow runs too (with its
stages wrapped as retried tasks): products are length-sorted so a batch pads little, and
batch *n* is written to both indexes on a writer thread while batch *n + 1* is embedded
(:mod:`ml.ingest.overlap`). The stage report says where the time went (embedding, vector and
keyword writes, and which side waited for the other).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ml.catalog.document import document_text
from ml.catalog.product import Product
from ml.catalog.reader import LoadReport, images_root_for, read_catalog
from ml.embedding.protocol import Embedder
from ml.ingest.overlap import run_overlapped
from ml.retrieval.protocols import KeywordIndex, VectorIndex

ProgressFn = Callable[[int, int], None]


class Captioner(Protocol):
    def caption(self, images: Sequence[bytes]) -> list[str]: ...


@dataclass
class StageStats:
    name: str
    records_in: int = 0
    records_out: int = 0
    skipped: int = 0
    seconds: float = 0.0
    status: str = "pending"
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.name,
            "records_in": self.records_in,
            "records_out": self.records_out,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
            "status": self.status,
            "detail": self.detail,
        }


@dataclass
class IngestReport:
    load: LoadReport
    products: int = 0
    unchanged: int = 0
    embedded: int = 0
    keyword_indexed: int = 0
    vector_indexed: int = 0
    keyword_count: int = 0
    vector_count: int = 0
    model_version: str = ""
    seconds: float = 0.0
    stages: list[StageStats] = field(default_factory=list)
    index_timings: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.load.as_dict(),
            "products": self.products,
            "unchanged_skipped": self.unchanged,
            "embedded": self.embedded,
            "keyword_indexed": self.keyword_indexed,
            "vector_indexed": self.vector_indexed,
            "keyword_count": self.keyword_count,
            "vector_count": self.vector_count,
            "model_version": self.model_version,
            "seconds": round(self.seconds, 3),
            "products_per_s": round(self.embedded / self.seconds, 2) if self.seconds else 0.0,
            "stages": [s.as_dict() for s in self.stages],
            "index_timings": self.index_timings,
        }


def batched(items: Sequence[Product], size: int) -> Iterator[Sequence[Product]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def length_sorted(products: Sequence[Product]) -> list[Product]:
    """Longest document first, so each batch holds documents of similar length and pads little
    (upserts are keyed by ``item_id``: the order products are written in changes nothing)."""
    return sorted(products, key=lambda p: len(document_text(p)), reverse=True)


def stale_products(
    products: Sequence[Product], keyword: KeywordIndex, vector: VectorIndex, model_version: str
) -> list[Product]:
    """Products not yet in both indexes with the current embedding model version."""
    in_keyword = keyword.ids()
    versions = vector.model_versions()
    return [p for p in products if p.item_id not in in_keyword or versions.get(p.item_id) != model_version]


def caption_products(
    products: Sequence[Product], captioner: Captioner, images_root: Path, batch_size: int = 8
) -> tuple[list[Product], StageStats]:
    """Fill ``caption`` for products with an image file; failures are counted, not fatal."""
    stats = StageStats("caption")
    start = time.perf_counter()
    out = list(products)
    todo = [
        (i, images_root / p.image_path)
        for i, p in enumerate(out)
        if p.image_path and not p.caption and (images_root / p.image_path).is_file()
    ]
    stats.records_in = len(todo)
    for chunk_start in range(0, len(todo), batch_size):
        chunk = todo[chunk_start : chunk_start + batch_size]
        try:
            captions = captioner.caption([path.read_bytes() for _, path in chunk])
        except Exception as exc:
            stats.skipped += len(chunk)
            stats.detail = f"captioner error: {exc}"[:300]
            continue
        for (i, _), caption in zip(chunk, captions, strict=False):
            out[i] = out[i].model_copy(update={"caption": caption.strip() or None})
            stats.records_out += 1
    stats.seconds = time.perf_counter() - start
    stats.status = "ok" if not stats.skipped else "partial"
    return out, stats


@dataclass
class EmbeddedBatch:
    """One batch, stamped with the model version, and its vectors."""

    products: list[Product]
    vectors: np.ndarray
    embed_seconds: float = 0.0


def embed_batch(batch: Sequence[Product], embedder: Embedder) -> EmbeddedBatch:
    """The embed stage of one batch (runs where the embedder is: here, a Ray worker, a service)."""
    version = embedder.model_version
    stamped = [p.model_copy(update={"embedding_model": version}) for p in batch]
    start = time.perf_counter()
    vectors = embedder.embed([document_text(p) for p in stamped])
    return EmbeddedBatch(stamped, np.asarray(vectors, dtype=np.float32), time.perf_counter() - start)


@dataclass
class WriteResult:
    keyword: int
    vector: int
    vector_seconds: float
    keyword_seconds: float


def write_batch(embedded: EmbeddedBatch, keyword: KeywordIndex, vector: VectorIndex) -> WriteResult:
    """The index stage of one batch: upsert into both indexes."""
    start = time.perf_counter()
    # Vector first: the keyword index is what marks an item as done for resumption.
    n_vector = vector.upsert(embedded.products, embedded.vectors)
    middle = time.perf_counter()
    n_keyword = keyword.upsert(embedded.products)
    return WriteResult(n_keyword, n_vector, middle - start, time.perf_counter() - middle)


EmbedStage = Callable[[Sequence[Product]], EmbeddedBatch]
EmbedAll = Callable[[Iterator[Sequence[Product]]], Iterator[EmbeddedBatch]]
WriteStage = Callable[[EmbeddedBatch], WriteResult]


def embed_in_order(embed: EmbedStage) -> EmbedAll:
    """Embed batch after batch in this process (the default producer)."""
    return lambda batches: (embed(batch) for batch in batches)


@dataclass
class IndexTotals:
    """What the embed+index loop did and where its time went."""

    records_in: int = 0
    batches: int = 0
    embedded: int = 0
    keyword_indexed: int = 0
    vector_indexed: int = 0
    embed_seconds: float = 0.0
    vector_seconds: float = 0.0
    keyword_seconds: float = 0.0
    embed_blocked_seconds: float = 0.0  # embedding waited for the writer (queue full)
    write_idle_seconds: float = 0.0  # the writer waited for embeddings
    seconds: float = 0.0
    overlap: bool = True

    def add(self, embedded: EmbeddedBatch, written: WriteResult) -> None:
        self.batches += 1
        self.embedded += len(embedded.products)
        self.keyword_indexed += written.keyword
        self.vector_indexed += written.vector
        self.embed_seconds += embedded.embed_seconds
        self.vector_seconds += written.vector_seconds
        self.keyword_seconds += written.keyword_seconds

    @property
    def detail(self) -> str:
        text = (
            f"embedding {self.embed_seconds:.2f}s of {self.seconds:.2f}s; writes: vector "
            f"{self.vector_seconds:.2f}s, keyword {self.keyword_seconds:.2f}s"
        )
        if self.overlap:
            text += (
                f" (overlapped; embedding waited {self.embed_blocked_seconds:.2f}s, "
                f"writer idle {self.write_idle_seconds:.2f}s)"
            )
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "batches": self.batches,
            "embedded": self.embedded,
            "overlap": self.overlap,
            "seconds": round(self.seconds, 3),
            "embed_seconds": round(self.embed_seconds, 3),
            "vector_write_seconds": round(self.vector_seconds, 3),
            "keyword_write_seconds": round(self.keyword_seconds, 3),
            "embed_blocked_seconds": round(self.embed_blocked_seconds, 3),
            "write_idle_seconds": round(self.write_idle_seconds, 3),
        }


def embed_and_index(
    todo: Sequence[Product],
    embed_all: EmbedAll,
    write: WriteStage,
    *,
    batch_size: int = 128,
    overlap: bool = True,
    depth: int = 2,
    on_write: Callable[[IndexTotals], None] | None = None,
) -> IndexTotals:
    """The embed+index loop (``ingest_catalog`` and the Prefect flow both run this one).

    Batches are cut from the length-sorted products; ``embed_all`` turns them into embedded
    batches (in this process by default, or on a Ray cluster); each is written by ``write``
    on a writer thread while the next is embedded (``overlap``), at most ``depth`` embedded
    batches waiting. ``on_write`` sees the running totals after every written batch.
    """
    totals = IndexTotals(records_in=len(todo), overlap=overlap)
    start = time.perf_counter()

    def consume(embedded: EmbeddedBatch) -> None:
        totals.add(embedded, write(embedded))
        totals.seconds = time.perf_counter() - start
        if on_write:
            on_write(totals)

    batches = batched(length_sorted(todo), batch_size)
    try:
        stats = run_overlapped(embed_all(batches), consume, depth=depth, overlap=overlap)
        totals.embed_blocked_seconds = stats.produce_blocked_s
        totals.write_idle_seconds = stats.consume_idle_s
    finally:
        totals.seconds = time.perf_counter() - start
    return totals


def ingest_catalog(
    catalog: str | Path,
    embedder: Embedder,
    keyword: KeywordIndex,
    vector: VectorIndex,
    *,
    batch_size: int = 128,
    limit: int | None = None,
    force: bool = False,
    captioner: Captioner | None = None,
    progress: ProgressFn | None = None,
    overlap: bool = True,
) -> IngestReport:
    started = time.perf_counter()
    read_stats = StageStats("read")
    catalog_data = read_catalog(catalog, limit=limit)
    read_stats.records_in = catalog_data.report.lines_read
    read_stats.records_out = len(catalog_data.products)
    read_stats.skipped = len(catalog_data.report.skipped)
    read_stats.seconds = time.perf_counter() - started
    read_stats.status = "ok"
    report = IngestReport(load=catalog_data.report, products=len(catalog_data.products), stages=[read_stats])
    report.model_version = embedder.model_version

    products = catalog_data.products
    if captioner is not None:
        root = images_root_for(catalog)
        if root is None:
            report.stages.append(StageStats("caption", status="skipped", detail="no local images folder"))
        else:
            products, caption_stats = caption_products(products, captioner, root)
            report.stages.append(caption_stats)
    else:
        report.stages.append(StageStats("caption", status="skipped", detail="no captioner configured"))

    todo = list(products) if force else stale_products(products, keyword, vector, report.model_version)
    report.unchanged = len(products) - len(todo)
    if progress:
        progress(0, len(todo))
    totals = embed_and_index(
        todo,
        embed_in_order(lambda batch: embed_batch(batch, embedder)),
        lambda embedded: write_batch(embedded, keyword, vector),
        batch_size=batch_size,
        overlap=overlap,
        on_write=(lambda t: progress(t.embedded, len(todo))) if progress else None,
    )
    report.embedded = totals.embedded
    report.keyword_indexed = totals.keyword_indexed
    report.vector_indexed = totals.vector_indexed
    report.index_timings = totals.as_dict()
    report.stages.append(
        StageStats(
            "embed+index",
            records_in=len(todo),
            records_out=totals.embedded,
            skipped=report.unchanged,
            seconds=totals.seconds,
            status="ok",
            detail=totals.detail,
        )
    )
    report.keyword_count = keyword.count()
    report.vector_count = vector.count()
    report.seconds = time.perf_counter() - started
    return report
