"""Vector index on Milvus through ``pymilvus``: embedded Milvus Lite (a local file) or a server.

One implementation for both: ``MilvusClient(uri=...)`` takes a path for Milvus Lite 2.5 (the
real Milvus C++ engine, run as a child process serving that file) and an ``http(s)://`` URI for
a server. Scalar fields (price, type, brand, colours) are stored next to the vector so filters
run inside Milvus; the full product record rides along as JSON so this half can serve
products on its own when the keyword index is down.

The vector index type follows the collection size (:mod:`ml.retrieval.milvus_plan`): FLAT
while small, IVF_FLAT when a Lite collection grows past the threshold (rebuilt once, in
place), HNSW on a server. Every call carries a timeout so a dead server is an
:class:`IndexUnavailable` within seconds, not pymilvus' minutes of retries.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ml.catalog.product import Product
from ml.logging import get_logger
from ml.retrieval.milvus_expr import filter_expression, scalar_value, string_list
from ml.retrieval.milvus_local import check_openable, explain_open_failure, is_local_uri
from ml.retrieval.milvus_plan import IVF_THRESHOLD, IndexPlan, plan_index
from ml.retrieval.protocols import IndexUnavailable
from ml.retrieval.types import IndexHit, SearchFilters

__all__ = ["MilvusVectorIndex", "filter_expression"]

log = get_logger(__name__)
MAX_DOC_CHARS = 60_000
MAX_COLORS = 16
MAX_LIMIT = 16_384
SCAN_BATCH = 2000
CONSISTENCY_LEVELS = ("Strong", "Session", "Bounded", "Eventually")
# pymilvus 2.5 cannot parse Milvus Lite 2.5's empty query result when the schema has an ARRAY
# field (the empty column comes back without an element type).
_EMPTY_ARRAY_RESULT = "Unsupported data type: 0"
# Failures that mean the connection is gone (pymilvus then drops it: "should create connection
# first"), so the client is rebuilt on a later call instead of failing forever.
_CONNECTION_LOST = ("UNAVAILABLE", "DEADLINE_EXCEEDED", "should create connection first", "Fail connecting")
RECONNECT_BACKOFF_S = 2.0  # doubles per failed reconnect, up to the max; reset on success
RECONNECT_BACKOFF_MAX_S = 4.0  # so a returning server is used again within ~5 s (fault tests: <= 10 s)
ADMIN_TIMEOUT_S = 600


class MilvusVectorIndex:
    name = "milvus"

    def __init__(
        self,
        uri: str,
        collection: str,
        dim: int,
        token: str | None = None,
        timeout_s: float = 10.0,
        consistency_level: str = "Bounded",
        ivf_threshold: int = IVF_THRESHOLD,
    ) -> None:
        if consistency_level not in CONSISTENCY_LEVELS:
            raise ValueError(f"consistency_level must be one of {CONSISTENCY_LEVELS}")
        self.uri = uri
        self.collection = collection
        self.dim = dim
        self.local = is_local_uri(uri)
        # pymilvus bounds its retries by the timeout only when it is an int (else 75 retries).
        self.timeout_s = max(1, math.ceil(timeout_s))
        self.admin_timeout_s = max(ADMIN_TIMEOUT_S, 6 * self.timeout_s)  # create, load, index builds
        self.consistency_level = consistency_level
        self.ivf_threshold = ivf_threshold
        self._token = token
        self._client: Any = None
        self._plan: IndexPlan | None = None
        self._rows_hint = 0  # rows at the last index check (upserts only add)
        self._down_until = 0.0  # after a lost connection, fail fast until then
        self._backoff_s = RECONNECT_BACKOFF_S
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ connection
    @property
    def client(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    wait = self._down_until - time.monotonic()
                    if wait > 0:
                        raise IndexUnavailable(f"milvus at {self.uri} is unreachable (retry in {wait:.1f}s)")
                    try:
                        self._client = self._connect()
                    except IndexUnavailable:
                        if not self.local:
                            self._down_until = time.monotonic() + self._backoff_s
                            self._backoff_s = min(2 * self._backoff_s, RECONNECT_BACKOFF_MAX_S)
                        raise
                    self._backoff_s = RECONNECT_BACKOFF_S
        return self._client

    def _connection_lost(self, exc: BaseException) -> None:
        """Forget a client whose connection died; the next call reconnects (after a back-off)."""
        if not any(marker in str(exc) for marker in _CONNECTION_LOST):
            return
        with self._lock:
            client, self._client = self._client, None
            self._down_until = time.monotonic() + RECONNECT_BACKOFF_S
        if client is not None:
            self._drop(client)
        log.warning("milvus.connection_lost", uri=self.uri, error=_short(exc)[:200])

    def _drop(self, client: Any) -> None:
        try:
            client.close()
        except Exception:
            log.debug("milvus.close_failed", exc_info=True)
        finally:
            if self.local:
                _release_local(self.uri)

    def _connect(self) -> Any:
        from pymilvus import MilvusClient

        # pymilvus sets its own log level on import and logs every failed RPC with a traceback;
        # outages are reported by the caller as degraded search instead.
        logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
        if self.local:
            check_openable(self.uri)  # before milvus-lite, which deletes a holder's lock on failure
        kwargs: dict[str, Any] = {"uri": self.uri, "timeout": self.timeout_s}
        if self._token:
            kwargs["token"] = self._token
        try:
            with warnings.catch_warnings():  # milvus-lite 2.5 imports pkg_resources (deprecated)
                warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
                client = MilvusClient(**kwargs)
        except Exception as exc:
            if self.local:
                raise explain_open_failure(self.uri, exc) from exc
            raise IndexUnavailable(f"milvus at {self.uri}: {_short(exc)}") from exc
        if self.local:
            _retain_local(self.uri)
        try:
            self._ensure_collection(client)
        except IndexUnavailable:
            self._drop(client)
            raise
        except Exception as exc:
            self._drop(client)
            raise IndexUnavailable(f"milvus at {self.uri}: {_short(exc)}") from exc
        return client

    def _ensure_collection(self, client: Any) -> None:
        if client.has_collection(self.collection, timeout=self.timeout_s):
            fields = client.describe_collection(self.collection, timeout=self.timeout_s)["fields"]
            existing = next((f for f in fields if f["name"] == "vector"), None)
            if existing and int(existing["params"]["dim"]) != self.dim:
                raise IndexUnavailable(
                    f"collection {self.collection} has dim {existing['params']['dim']}, model has {self.dim}"
                )
            # A reopened collection starts released. On a server a slow load fails fast (search
            # degrades and the next call retries); a local file has nothing else to serve.
            load_timeout = self.admin_timeout_s if self.local else self.timeout_s
            client.load_collection(self.collection, timeout=load_timeout)
            self._rows_hint = self._count(client)
            self._plan = self._built_plan(client)
            if self.local:  # a server's index is rebuilt only when asked (optimize): it is shared
                self._maybe_rebuild(client, self._rows_hint)
            return
        self._create_collection(client)

    def _create_collection(self, client: Any) -> None:
        from pymilvus import DataType, MilvusClient

        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("item_id", DataType.VARCHAR, is_primary=True, max_length=128)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dim)
        schema.add_field("price", DataType.FLOAT)
        schema.add_field("product_type", DataType.VARCHAR, max_length=128)
        schema.add_field("brand", DataType.VARCHAR, max_length=256)
        schema.add_field(
            "colors", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=MAX_COLORS, max_length=64
        )
        schema.add_field("model_version", DataType.VARCHAR, max_length=256)
        schema.add_field("doc", DataType.VARCHAR, max_length=65_535)
        plan = plan_index(0, self.local, self.ivf_threshold)
        client.create_collection(
            self.collection,
            schema=schema,
            index_params=self._index_params(client, plan),
            consistency_level=self.consistency_level,
            timeout=self.admin_timeout_s,
        )
        self._plan, self._rows_hint = plan, 0

    @staticmethod
    def _index_params(client: Any, plan: IndexPlan) -> Any:
        params = client.prepare_index_params()
        params.add_index(
            field_name="vector", index_type=plan.index_type, metric_type="COSINE", params=dict(plan.params)
        )
        return params

    def _built_plan(self, client: Any) -> IndexPlan:
        described = client.describe_index(self.collection, "vector", timeout=self.timeout_s) or {}
        kind = str(described.get("index_type", "FLAT")).upper()
        params = {"nlist": int(described["nlist"])} if "nlist" in described else {}
        return IndexPlan(kind, params)

    # ------------------------------------------------------------------ index choice
    @property
    def index_plan(self) -> IndexPlan:
        """The index the collection has now (connects on first use)."""
        _ = self.client
        assert self._plan is not None
        return self._plan

    def _maybe_rebuild(self, client: Any, rows: int) -> None:
        """Rebuild the vector index when the collection outgrew (or shrank below) its type."""
        wanted = plan_index(rows, self.local, self.ivf_threshold)
        if self._plan is not None and self._plan.covers(wanted):
            return
        log.info(
            "milvus.index_rebuild",
            collection=self.collection,
            rows=rows,
            old=self._plan.index_type if self._plan else None,
            new=wanted.index_type,
            params=wanted.params,
        )
        client.release_collection(self.collection, timeout=self.admin_timeout_s)
        client.drop_index(self.collection, "vector", timeout=self.admin_timeout_s)
        client.create_index(self.collection, self._index_params(client, wanted), timeout=self.admin_timeout_s)
        client.load_collection(self.collection, timeout=self.admin_timeout_s)
        self._plan = wanted

    def _after_write(self, added: int) -> None:
        """Re-check the index type only when the row count may have crossed a boundary."""
        if not self.local:
            return  # HNSW at every size
        self._rows_hint += added
        plan = self._plan
        crossing = (plan is None or plan.index_type == "FLAT") and self._rows_hint >= self.ivf_threshold
        growing = plan is not None and plan.index_type == "IVF_FLAT" and self._rows_hint >= plan.rows_covered
        if crossing or growing:
            with self._lock:
                rows = self._count(self.client)
                self._rows_hint = rows
                self._maybe_rebuild(self.client, rows)

    def prepare_for(self, rows: int) -> IndexPlan:
        """Build the index for an expected size now (cheapest while the collection is empty:
        each segment is then indexed as it fills, instead of one rebuild over everything)."""
        with self._lock:
            client = self.client
            wanted = plan_index(rows, self.local, self.ivf_threshold)
            if self._plan is None or not self._plan.covers(wanted):
                self._maybe_rebuild(client, rows)
            self._rows_hint = max(self._rows_hint, rows)
            return self.index_plan

    def optimize(self) -> IndexPlan:
        """Bring the index type in line with the current row count (e.g. after bulk loads)."""
        with self._lock:
            rows = self._count(self.client)
            self._rows_hint = rows
            self._maybe_rebuild(self.client, rows)
            return self.index_plan

    # ------------------------------------------------------------------ writing
    @staticmethod
    def _row(product: Product, vector: np.ndarray) -> dict[str, Any]:
        doc = product.model_dump_json()
        if len(doc) > MAX_DOC_CHARS:
            doc = product.model_copy(
                update={"description": None, "bullets": product.bullets[:3]}
            ).model_dump_json()
        return {
            "item_id": product.item_id,
            "vector": np.asarray(vector, dtype=np.float32).tolist(),
            "price": float(product.price),
            "product_type": scalar_value(product.product_type.upper())[:128],
            "brand": scalar_value((product.brand or "").lower())[:256],
            "colors": [scalar_value(c.lower())[:64] for c in product.colors[:MAX_COLORS]],
            "model_version": (product.embedding_model or "")[:256],
            "doc": doc[:65_535],
        }

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except IndexUnavailable:
            raise
        except Exception as exc:
            self._connection_lost(exc)
            raise IndexUnavailable(f"milvus {what} failed: {_short(exc)}") from exc

    def upsert(self, products: Sequence[Product], vectors: np.ndarray) -> int:
        if len(products) != len(vectors):
            raise ValueError(f"{len(products)} products but {len(vectors)} vectors")
        if not products:
            return 0
        rows = [self._row(p, v) for p, v in zip(products, vectors, strict=True)]
        client = self.client
        result = self._call(
            "upsert", lambda: client.upsert(self.collection, rows, timeout=self.timeout_s * 6)
        )
        self._after_write(len(rows))
        return int(result.get("upsert_count", len(rows)))

    def delete(self, item_ids: Sequence[str]) -> int:
        """Delete by ``item_id``; returns how many of the ids existed."""
        ids = list(dict.fromkeys(i for i in item_ids if i))
        if not ids:
            return 0
        present = set(self.get(ids))
        if present:
            client = self.client
            self._call(
                "delete", lambda: client.delete(self.collection, ids=sorted(present), timeout=self.timeout_s)
            )
        return len(present)

    def clear(self) -> None:
        client = self.client
        with self._lock:
            if client.has_collection(self.collection, timeout=self.timeout_s):
                client.drop_collection(self.collection, timeout=self.admin_timeout_s)
            self._create_collection(client)

    # ------------------------------------------------------------------ reading
    def _search_once(self, vector: list[float], k: int, expr: str, exhaustive: bool) -> list[Any]:
        plan = self._plan or IndexPlan("FLAT")
        client = self.client
        result = self._call(
            "search",
            lambda: client.search(
                self.collection,
                data=[vector],
                limit=min(k, MAX_LIMIT),
                filter=expr,
                output_fields=["doc"],
                search_params=plan.search_params(k, exhaustive=exhaustive),
                consistency_level=self.consistency_level,
                timeout=self.timeout_s,
            ),
        )
        return list(result[0]) if result else []

    def search(self, vector: np.ndarray, k: int, filters: SearchFilters | None = None) -> list[IndexHit]:
        if k <= 0:
            return []
        query = np.asarray(vector, dtype=np.float32).tolist()
        expr = filter_expression(filters)
        rows = self._search_once(query, k, expr, exhaustive=False)
        plan = self._plan
        if expr and len(rows) < k and plan is not None and plan.index_type == "IVF_FLAT":
            # A selective filter may leave too few matches in the probed lists: scan them all.
            rows = self._search_once(query, k, expr, exhaustive=True)
        hits = []
        for rank, row in enumerate(rows, start=1):
            product = Product.model_validate_json(row["entity"]["doc"])
            hits.append(
                IndexHit(item_id=product.item_id, rank=rank, score=float(row["distance"]), product=product)
            )
        return hits

    def _query(
        self, expr: str, fields: list[str], limit: int | None = None, **extra: Any
    ) -> list[dict[str, Any]]:
        client = self.client
        kwargs: dict[str, Any] = {
            **extra,
            "filter": expr,
            "output_fields": fields,
            "consistency_level": self.consistency_level,
            "timeout": self.timeout_s,
        }
        if limit is not None:
            kwargs["limit"] = limit
        try:
            return list(client.query(self.collection, **kwargs))
        except Exception as exc:
            if _EMPTY_ARRAY_RESULT in str(exc) and self._count(client, expr) == 0:
                return []
            self._connection_lost(exc)
            raise IndexUnavailable(f"milvus query failed: {_short(exc)}") from exc

    def get(self, item_ids: Sequence[str]) -> dict[str, Product]:
        ids = list(dict.fromkeys(i for i in item_ids if i))
        if not ids:
            return {}
        rows = self._query(f"item_id in {string_list(ids)}", ["item_id", "doc"])
        return {r["item_id"]: Product.model_validate_json(r["doc"]) for r in rows}

    def model_versions(self) -> dict[str, str]:
        """``item_id → embedding model version`` (used to decide what needs re-embedding)."""
        return {r["item_id"]: r.get("model_version", "") for r in self._scan(["model_version"])}

    def ids(self) -> set[str]:
        return {r["item_id"] for r in self._scan([])}

    def _scan(self, fields: list[str]) -> list[dict[str, Any]]:
        """Every row, paged by primary key (Milvus returns a limited query in key order)."""
        out: list[dict[str, Any]] = []
        expr = 'item_id != ""'
        while True:
            # The flags pymilvus' QueryIterator sends: results in primary-key order per batch.
            batch = self._query(
                expr, ["item_id", *fields], limit=SCAN_BATCH, iterator="True", reduce_stop_for_best="True"
            )
            out.extend(batch)
            if len(batch) < SCAN_BATCH:
                return out
            last = max(r["item_id"] for r in batch)
            expr = f"item_id > {string_list([last])[1:-1]}"

    def _count(self, client: Any, expr: str = "") -> int:
        rows = self._call(
            "count",
            lambda: client.query(
                self.collection,
                filter=expr,
                output_fields=["count(*)"],
                consistency_level=self.consistency_level,
                timeout=self.timeout_s,
            ),
        )
        return int(rows[0]["count(*)"]) if rows else 0

    def count(self) -> int:
        return self._count(self.client)

    def ping(self) -> bool:
        try:
            self.count()
            return True
        except Exception:
            return False

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            self._drop(client)


def _short(exc: BaseException) -> str:
    """One line of a pymilvus error (gRPC errors print the whole debug context)."""
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."


_local_users: dict[str, int] = {}
_local_users_lock = threading.Lock()


def _retain_local(path: str) -> None:
    with _local_users_lock:
        _local_users[path] = _local_users.get(path, 0) + 1


def _release_local(path: str) -> None:
    """Stop this process's embedded engine for ``path`` once its last index here closed, so
    another process may open the file (pymilvus' ``close`` leaves the engine running)."""
    with _local_users_lock:
        left = _local_users.get(path, 0) - 1
        if left > 0:
            _local_users[path] = left
            return
        _local_users.pop(path, None)
    try:
        from milvus_lite.server_manager import server_manager_instance
    except ImportError:
        return
    server_manager_instance.release_server(path)
