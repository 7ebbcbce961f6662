"""Vector index on Milvus through ``pymilvus``: Milvus Lite (a local file) or a server URI.

One implementation for both: ``MilvusClient(uri=...)`` takes a path for Milvus Lite and an
``http(s)://`` URI for a server. Scalar fields (price, type, brand, colours) are stored next
to the vector so filters run inside Milvus; the full product record rides along as JSON so
this half can serve products on its own when the keyword index is down.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from ml.catalog.product import Product
from ml.retrieval.protocols import IndexUnavailable
from ml.retrieval.types import IndexHit, SearchFilters

MAX_DOC_CHARS = 60_000
MAX_COLORS = 16


def _quote(value: str) -> str:
    return json.dumps(value)  # double-quoted with escapes: valid in Milvus boolean expressions


def filter_expression(filters: SearchFilters | None) -> str:
    """Milvus boolean expression for the shared filters ("" when there are none)."""
    if filters is None:
        return ""
    parts: list[str] = []
    if filters.price_min is not None:
        parts.append(f"price >= {float(filters.price_min)}")
    if filters.price_max is not None:
        parts.append(f"price <= {float(filters.price_max)}")
    if filters.product_types:
        parts.append(f"product_type in [{', '.join(_quote(v.upper()) for v in filters.product_types)}]")
    if filters.brands:
        parts.append(f"brand in [{', '.join(_quote(v.lower()) for v in filters.brands)}]")
    if filters.colors:
        parts.append(f"array_contains_any(colors, [{', '.join(_quote(v.lower()) for v in filters.colors)}])")
    return " and ".join(parts)


class MilvusVectorIndex:
    name = "milvus"

    def __init__(self, uri: str, collection: str, dim: int, token: str | None = None) -> None:
        self.uri = uri
        self.collection = collection
        self.dim = dim
        self._token = token
        self._client: Any = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ connection
    @property
    def client(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    from pymilvus import MilvusClient

                    # pymilvus sets its own log level on import and logs every failed RPC with a
                    # traceback; outages are reported by the caller as degraded search instead.
                    logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
                    try:
                        kwargs: dict[str, Any] = {"uri": self.uri}
                        if self._token:
                            kwargs["token"] = self._token
                        client = MilvusClient(**kwargs)
                        self._ensure_collection(client)
                    except Exception as exc:
                        raise IndexUnavailable(f"milvus at {self.uri}: {exc}") from exc
                    self._client = client
        return self._client

    def _ensure_collection(self, client: Any) -> None:
        from pymilvus import DataType, MilvusClient

        if client.has_collection(self.collection):
            fields = client.describe_collection(self.collection)["fields"]
            existing = next((f for f in fields if f["name"] == "vector"), None)
            if existing and int(existing["params"]["dim"]) != self.dim:
                raise IndexUnavailable(
                    f"collection {self.collection} has dim {existing['params']['dim']}, model has {self.dim}"
                )
            client.load_collection(self.collection)  # a reopened collection starts released
            return
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
        index_params = client.prepare_index_params()
        index_params.add_index(field_name="vector", index_type="AUTOINDEX", metric_type="COSINE")
        client.create_collection(self.collection, schema=schema, index_params=index_params)

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
            "product_type": product.product_type.upper()[:128],
            "brand": (product.brand or "").lower()[:256],
            "colors": [c.lower()[:64] for c in product.colors[:MAX_COLORS]],
            "model_version": (product.embedding_model or "")[:256],
            "doc": doc[:65_535],
        }

    def upsert(self, products: Sequence[Product], vectors: np.ndarray) -> int:
        if len(products) != len(vectors):
            raise ValueError(f"{len(products)} products but {len(vectors)} vectors")
        if not products:
            return 0
        rows = [self._row(p, v) for p, v in zip(products, vectors, strict=True)]
        try:
            result = self.client.upsert(self.collection, rows)
        except IndexUnavailable:
            raise
        except Exception as exc:
            raise IndexUnavailable(f"milvus upsert failed: {exc}") from exc
        return int(result.get("upsert_count", len(rows)))

    def clear(self) -> None:
        if self.client.has_collection(self.collection):
            self.client.drop_collection(self.collection)
        self._ensure_collection(self.client)

    # ------------------------------------------------------------------ reading
    def search(self, vector: np.ndarray, k: int, filters: SearchFilters | None = None) -> list[IndexHit]:
        if k <= 0:
            return []
        try:
            result = self.client.search(
                self.collection,
                data=[np.asarray(vector, dtype=np.float32).tolist()],
                limit=min(k, 16_384),
                filter=filter_expression(filters),
                output_fields=["doc"],
                search_params={"metric_type": "COSINE"},
            )
        except IndexUnavailable:
            raise
        except Exception as exc:
            raise IndexUnavailable(f"milvus search failed: {exc}") from exc
        hits = []
        for rank, row in enumerate(result[0] if result else [], start=1):
            product = Product.model_validate_json(row["entity"]["doc"])
            hits.append(
                IndexHit(item_id=product.item_id, rank=rank, score=float(row["distance"]), product=product)
            )
        return hits

    def get(self, item_ids: Sequence[str]) -> dict[str, Product]:
        ids = [i for i in item_ids if i]
        if not ids:
            return {}
        rows = self.client.get(self.collection, ids=ids, output_fields=["doc"])
        return {r["item_id"]: Product.model_validate_json(r["doc"]) for r in rows}

    def model_versions(self) -> dict[str, str]:
        """``item_id → embedding model version`` (used to decide what needs re-embedding)."""
        return dict(self._scan(["model_version"], lambda r: (r["item_id"], r.get("model_version", ""))))

    def ids(self) -> set[str]:
        return {item for item, _ in self._scan([], lambda r: (r["item_id"], ""))}

    def _scan(self, fields: list[str], pick: Any) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        iterator = self.client.query_iterator(
            self.collection, batch_size=2000, filter='item_id != ""', output_fields=["item_id", *fields]
        )
        try:
            while True:
                batch = iterator.next()
                if not batch:
                    break
                out.extend(pick(r) for r in batch)
        finally:
            iterator.close()
        return out

    def count(self) -> int:
        rows = self.client.query(self.collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0

    def ping(self) -> bool:
        try:
            self.count()
            return True
        except Exception:
            return False

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
