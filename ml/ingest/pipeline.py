"""The ingestion pipeline as plain, batched, idempotent stages (the Prefect flow wraps these).

Idempotent by ``item_id``: both indexes upsert, so re-running adds nothing twice. Incremental
by default: a product already in both indexes with the current embedding model version is
skipped, so a killed run, re-run, finishes the rest and ends with the same counts. A new model
version (a promoted adapter) makes every product stale, which triggers a re-embed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ml.catalog.document import document_text
from ml.catalog.product import Product
from ml.catalog.reader import LoadReport, images_root_for, read_catalog
from ml.embedding.protocol import Embedder
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
        }


def batched(items: Sequence[Product], size: int) -> Iterator[Sequence[Product]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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


def index_batch(
    batch: Sequence[Product], embedder: Embedder, keyword: KeywordIndex, vector: VectorIndex
) -> tuple[int, int, float]:
    """Embed and upsert one batch into both indexes; returns (keyword, vector, embed seconds)."""
    version = embedder.model_version
    stamped = [p.model_copy(update={"embedding_model": version}) for p in batch]
    start = time.perf_counter()
    vectors = embedder.embed([document_text(p) for p in stamped])
    embed_seconds = time.perf_counter() - start
    # Vector first: the keyword index is what marks an item as done for resumption.
    n_vector = vector.upsert(stamped, vectors)
    n_keyword = keyword.upsert(stamped)
    return n_keyword, n_vector, embed_seconds


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
    index_stats = StageStats("embed+index", records_in=len(todo), skipped=report.unchanged)
    embed_seconds = 0.0
    index_start = time.perf_counter()
    if progress:
        progress(0, len(todo))
    done = 0
    for batch in batched(todo, batch_size):
        n_keyword, n_vector, seconds = index_batch(batch, embedder, keyword, vector)
        report.keyword_indexed += n_keyword
        report.vector_indexed += n_vector
        report.embedded += len(batch)
        embed_seconds += seconds
        done += len(batch)
        if progress:
            progress(done, len(todo))
    index_stats.records_out = report.embedded
    index_stats.seconds = time.perf_counter() - index_start
    index_stats.status = "ok"
    index_stats.detail = f"embedding {embed_seconds:.2f}s of {index_stats.seconds:.2f}s"
    report.stages.append(index_stats)
    report.keyword_count = keyword.count()
    report.vector_count = vector.count()
    report.seconds = time.perf_counter() - started
    return report
