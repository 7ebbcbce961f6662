"""The ingestion flow: the stages of :mod:`ml.ingest.pipeline` as Prefect tasks, with lineage.

source (folder, sample, ``s3://amazon-berkeley-objects``) → read/flatten/dedupe → caption
(skipped, with the reason, when no captioner is configured) → plan (which products are stale
for the current model version) → embed + upsert both indexes: the loop of
:func:`ml.ingest.pipeline.embed_and_index` with an embed task and an upsert task per batch
(retried on transient failures), batch *n* upserted while batch *n + 1* is embedded. With
:func:`ingest_flow_on_ray` the embed tasks run on a Ray cluster (``prefect-ray``).
Idempotent by ``item_id`` (upserts) and resumable (the plan step skips what a killed run
already finished), so a re-run ends with the same index counts. Every run and stage lands in
the lineage store (``shoptalk runs``).
"""

from __future__ import annotations

import time
import urllib.error
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.runtime import prefect_flow_run_id, unvisited
from ml.catalog.product import Product
from ml.catalog.reader import Catalog, images_root_for, read_catalog
from ml.config import Settings, get_settings
from ml.embedding.protocol import Embedder, EmbedderUnavailable
from ml.ingest.pipeline import (
    Captioner,
    EmbedAll,
    EmbeddedBatch,
    StageStats,
    WriteResult,
    caption_products,
    embed_and_index,
    embed_batch,
    embed_in_order,
    stale_products,
    write_batch,
)
from ml.lineage import COMPLETED, LineageStore, StageRecord, StageTimer, track_run
from ml.logging import get_logger
from ml.paths import SAMPLE_CATALOG
from ml.retrieval.protocols import IndexUnavailable, KeywordIndex, VectorIndex

log = get_logger(__name__)

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    IndexUnavailable,
    EmbedderUnavailable,
    ConnectionError,
    TimeoutError,
    urllib.error.URLError,
)
try:  # the inference-service clients (httpx, circuit breaker)
    import httpx

    from ml.clients.errors import ServiceUnavailable

    TRANSIENT_ERRORS = (*TRANSIENT_ERRORS, httpx.TransportError, ServiceUnavailable)
except ImportError:  # pragma: no cover
    pass

BATCH_RETRIES = 3
BATCH_RETRY_DELAYS: list[float] = [1.0, 4.0, 10.0]


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, TRANSIENT_ERRORS)


def _retry_transient(_task: Any, _task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn``: retry only errors that can go away by themselves."""
    try:
        state.result()
    except Exception as exc:
        return is_transient(exc)
    return False


# Prefect task options of the per-batch and index tasks: retried on transient errors only.
RETRIED_TASK: dict[str, Any] = {
    "cache_policy": NO_CACHE,
    "persist_result": False,
    "retries": BATCH_RETRIES,
    "retry_delay_seconds": BATCH_RETRY_DELAYS,
    "retry_condition_fn": _retry_transient,
}


class IngestComponents:
    """What a run writes with; built from settings, or injected (tests, benchmarks).

    A plain class with ``__slots__``, not a dataclass: Prefect ships the flow's parameters
    with every task it submits to Ray and would take a dataclass apart into its fields
    (indexes included), and its JSON encoder would walk an instance ``__dict__`` down into
    the model's tensors; this way the API records ``<IngestComponents>`` and a Ray worker
    gets :meth:`__getstate__`'s copy, the embedder only.
    """

    __slots__ = ("captioner", "captioner_skip_reason", "embedder", "keyword", "owned", "vector")

    def __init__(
        self,
        embedder: Embedder,
        keyword: KeywordIndex,
        vector: VectorIndex,
        captioner: Captioner | None = None,
        captioner_skip_reason: str | None = None,
        owned: bool = True,
    ) -> None:
        self.embedder = embedder
        self.keyword = keyword
        self.vector = vector
        self.captioner = captioner
        self.captioner_skip_reason = captioner_skip_reason
        self.owned = owned

    def __repr__(self) -> str:
        return (
            f"IngestComponents(embedder={self.embedder!r}, keyword={self.keyword!r}, vector={self.vector!r})"
        )

    def __getstate__(self) -> dict[str, Any]:
        """The embedder only: the indexes and the captioner client stay in the flow's process."""
        state = {name: getattr(self, name) for name in self.__slots__}
        return {**state, "keyword": None, "vector": None, "captioner": None, "owned": False}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    def close(self) -> None:
        close = getattr(self.vector, "close", None)
        if self.owned and close:
            close()


def build_captioner(settings: Settings) -> tuple[Captioner | None, str | None]:
    """The remote captioner client when ``SHOPTALK_CAPTIONER_URL`` is set, else the skip reason."""
    if not settings.captioner_url:
        return None, "no captioner configured (SHOPTALK_CAPTIONER_URL unset)"
    from ml.clients.captioner import CaptionerClient

    return CaptionerClient(settings.captioner_url, timeout_s=settings.service_timeout_s), None


def build_components(settings: Settings) -> IngestComponents:
    from ml.retrieval.factory import build_embedder, build_keyword_index, build_vector_index

    embedder = build_embedder(settings)
    captioner, reason = build_captioner(settings)
    return IngestComponents(
        embedder=embedder,
        keyword=build_keyword_index(settings),
        vector=build_vector_index(settings, embedder.dim),
        captioner=captioner,
        captioner_skip_reason=reason,
    )


# ---------------------------------------------------------------------------- tasks


@task(
    name="read-catalog",
    cache_policy=NO_CACHE,
    persist_result=False,
    retries=2,
    retry_delay_seconds=[2.0, 10.0],
    retry_condition_fn=_retry_transient,
)
def read_task(catalog: str, limit: int | None) -> Catalog:
    """Parse, English-flatten and deduplicate the listings (``ml.catalog.reader``)."""
    return read_catalog(catalog, limit=limit)


@task(name="caption-images", cache_policy=NO_CACHE, persist_result=False)
def caption_task(
    products: list[Product], catalog: str, captioner: Captioner | None, skip_reason: str | None
) -> tuple[list[Product], StageStats]:
    if captioner is None:
        return products, StageStats(
            "caption",
            records_in=len(products),
            skipped=len(products),
            status="skipped",
            detail=skip_reason or "no captioner",
        )
    root = images_root_for(catalog)
    if root is None:
        return products, StageStats(
            "caption",
            records_in=len(products),
            skipped=len(products),
            status="skipped",
            detail="no local images folder",
        )
    return caption_products(products, captioner, root)


@task(
    name="plan-stale",
    **RETRIED_TASK,
)
def plan_task(
    products: list[Product], keyword: KeywordIndex, vector: VectorIndex, model_version: str, force: bool
) -> list[Product]:
    """Products not yet in both indexes with this model version (all of them with ``force``)."""
    return list(products) if force else stale_products(products, keyword, vector, model_version)


@task(
    name="embed-batch",
    **RETRIED_TASK,
)
def embed_task(batch: Sequence[Product], embedder: Embedder) -> EmbeddedBatch:
    """Embed one batch (in the flow's process, or on a Ray worker with ``--task-runner ray``)."""
    return embed_batch(batch, embedder)


@task(
    name="upsert-batch",
    **RETRIED_TASK,
)
def write_task(embedded: EmbeddedBatch, keyword: KeywordIndex, vector: VectorIndex) -> WriteResult:
    """Upsert one embedded batch into both indexes (always in the flow's process: the
    embedded Milvus file belongs to one process)."""
    return write_batch(embedded, keyword, vector)


def embed_on_runner(embedder: Embedder, window: int) -> EmbedAll:
    """Submit embed tasks to the flow's task runner (a Ray cluster), ``window`` in flight,
    and yield their results in submission order."""

    def embed_all(batches: Iterator[Sequence[Product]]) -> Iterator[EmbeddedBatch]:
        pending: deque[Any] = deque()
        for batch in batches:
            # Not ``unvisited``: Prefect's ``quote`` does not survive the trip to a Ray worker.
            pending.append(embed_task.submit(list(batch), embedder))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    return embed_all


@task(
    name="count-indexes",
    **RETRIED_TASK,
)
def count_task(keyword: KeywordIndex, vector: VectorIndex) -> tuple[int, int]:
    return keyword.count(), vector.count()


# ---------------------------------------------------------------------------- flow


def _stage_record(stats: StageStats, model_version: str) -> StageRecord:
    return StageRecord.from_mapping(stats.as_dict(), model_version)


def run_ingest(
    settings: Settings,
    catalog: str,
    components: IngestComponents,
    *,
    batch_size: int = 128,
    limit: int | None = None,
    force: bool = False,
    trigger: str = "manual",
    embed_window: int = 0,
) -> dict[str, Any]:
    """The flow body (call inside a Prefect flow): returns the run summary with its lineage id.

    ``embed_window`` > 0 submits the embed tasks to the flow's task runner (a Ray cluster),
    that many batches in flight; 0 embeds in this process.
    """
    store = LineageStore.for_settings(settings)
    model_version = components.embedder.model_version
    params = {
        "catalog": catalog,
        "batch_size": batch_size,
        "limit": limit,
        "force": force,
        "trigger": trigger,
        "embed_window": embed_window,
    }
    started = time.perf_counter()
    with track_run(store, "ingest", params, orchestrator_run_id=prefect_flow_run_id()) as run_id:
        store.set_model_version(run_id, model_version)
        log.info("ingest.start", run_id=run_id, catalog=catalog, model_version=model_version)

        read = StageTimer(store, run_id, "read", model_version)
        data = read_task(catalog, limit)
        read.done(
            records_in=data.report.lines_read,
            records_out=len(data.products),
            skipped=len(data.report.skipped),
            detail=f"duplicates merged {data.report.duplicates}; skipped {data.report.skipped_by_reason}",
        )

        products, caption_stats = caption_task(
            unvisited(data.products), catalog, components.captioner, components.captioner_skip_reason
        )
        store.record_stage(run_id, _stage_record(caption_stats, model_version))

        plan = StageTimer(store, run_id, "plan", model_version)
        todo = plan_task(unvisited(products), components.keyword, components.vector, model_version, force)
        unchanged = len(products) - len(todo)
        plan.done(
            records_in=len(products),
            records_out=len(todo),
            skipped=unchanged,
            detail="force: everything re-embedded" if force else "unchanged items already indexed skipped",
        )

        index = StageTimer(store, run_id, "embed+index", model_version)
        index.update(records_in=len(todo), skipped=unchanged)
        embedder = components.embedder
        totals = embed_and_index(
            todo,
            embed_on_runner(embedder, embed_window)
            if embed_window > 0
            else embed_in_order(lambda batch: embed_task(unvisited(batch), embedder)),
            lambda embedded: write_task(unvisited(embedded), components.keyword, components.vector),
            batch_size=batch_size,
            on_write=lambda t: index.update(
                records_out=t.embedded, detail=f"batch {t.batches}; embedding {t.embed_seconds:.2f}s"
            ),
        )
        index.done(records_out=totals.embedded, detail=totals.detail)
        embedded = totals.embedded

        keyword_count, vector_count = count_task(components.keyword, components.vector)
        summary = {
            "lineage_run_id": run_id,
            "catalog": catalog,
            "products": len(products),
            "duplicates_merged": data.report.duplicates,
            "skipped_lines": len(data.report.skipped),
            "unchanged_skipped": unchanged,
            "embedded": embedded,
            "keyword_indexed": totals.keyword_indexed,
            "vector_indexed": totals.vector_indexed,
            "keyword_count": keyword_count,
            "vector_count": vector_count,
            "model_version": model_version,
            "embed_seconds": round(totals.embed_seconds, 3),
            "index_timings": totals.as_dict(),
            "seconds": round(time.perf_counter() - started, 3),
        }
        store.finish_run(run_id, COMPLETED, summary)
        log.info("ingest.done", **summary)
        return summary


@flow(name="shoptalk-ingest", persist_result=False, log_prints=False)
def ingest_flow(
    catalog: str = str(SAMPLE_CATALOG),
    batch_size: int = 128,
    limit: int | None = None,
    force: bool = False,
    trigger: str = "manual",
    settings: Settings | None = None,
    components: Any = None,
    embed_window: int = 0,
) -> dict[str, Any]:
    """Ingest a catalog into the keyword and vector indexes (idempotent, resumable, with lineage).

    ``settings`` defaults to the environment; ``components`` (an :class:`IngestComponents`) lets
    tests and benchmarks inject the embedder and indexes.
    """
    settings = settings or get_settings()
    owned = components is None
    parts: IngestComponents = build_components(settings) if owned else components
    try:
        return run_ingest(
            settings,
            catalog,
            parts,
            batch_size=batch_size,
            limit=limit,
            force=force,
            trigger=trigger,
            embed_window=embed_window,
        )
    finally:
        if owned:
            parts.close()


def ingest_flow_on_ray(address: str | None = None, num_cpus: int | None = None) -> Any:
    """The ingest flow on Prefect's ``RayTaskRunner`` (``prefect-ray``): embed tasks run on the
    Ray cluster at ``address`` (``ray://head:10001``), or on a new local Ray with ``num_cpus``;
    writes stay in the flow's process. Call it with ``embed_window`` = the cluster's CPUs."""
    from prefect_ray.task_runners import RayTaskRunner

    init_kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
    if num_cpus:
        init_kwargs["num_cpus"] = num_cpus
    runner = RayTaskRunner(address=address or "local", init_kwargs=init_kwargs)
    return ingest_flow.with_options(task_runner=runner)


def champion_uri(settings: Settings) -> str:
    return f"models:/{settings.registered_model_name}@champion"


def reembed_after_promotion(settings: Settings, catalog: str | Path, batch_size: int = 128) -> dict[str, Any]:
    """The re-embed trigger run after a champion change (finetune flow, ``shoptalk models promote``).

    Re-ingests ``catalog`` with the champion adapter: every product indexed under another model
    version is stale, so it is re-embedded (unchanged ones are skipped). Only done when the
    deployment follows the champion alias (``SHOPTALK_ADAPTER_URI`` unset or equal to
    ``models:/NAME@champion``); a pinned adapter is left alone and the reason returned.
    """
    alias_uri = champion_uri(settings)
    if settings.adapter_uri and settings.adapter_uri != alias_uri:
        return {"status": "skipped", "reason": f"adapter pinned to {settings.adapter_uri}, not {alias_uri}"}
    follow = settings.model_copy(update={"adapter_uri": alias_uri})
    summary = ingest_flow(
        catalog=str(catalog), batch_size=batch_size, trigger="champion-promoted", settings=follow
    )
    return {"status": "completed", "adapter_uri": alias_uri, **summary}
