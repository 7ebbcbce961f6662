"""Keyword index on Elasticsearch (official client): english analyzer, bulk upserts by item_id.

Request bodies are built by pure functions (:func:`index_body`, :func:`search_body`) so they
can be checked without a cluster; the class only moves them over the wire.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from ml.catalog.document import keyword_fields
from ml.catalog.identifiers import query_identifiers
from ml.catalog.product import Product
from ml.retrieval.protocols import IndexUnavailable
from ml.retrieval.types import IndexHit, SearchFilters

SEARCH_FIELDS = ["title^3", "brand^2", "category^2", "attributes^1.5", "body"]


def index_body() -> dict[str, Any]:
    text = {"type": "text", "analyzer": "english"}
    return {
        "settings": {"index": {"number_of_shards": 1, "number_of_replicas": 0}},
        "mappings": {
            "dynamic": False,
            "properties": {
                "item_id": {"type": "keyword"},
                "title": text,
                "brand": text,
                "category": text,
                "attributes": text,
                "body": text,
                "f_type": {"type": "keyword"},
                "f_brand": {"type": "keyword"},
                "f_color": {"type": "keyword"},
                "price": {"type": "float"},
                "doc": {"type": "object", "enabled": False},
            },
        },
    }


def document_source(product: Product) -> dict[str, Any]:
    return {
        **keyword_fields(product),
        "item_id": product.item_id,
        "f_type": product.product_type.upper(),
        "f_brand": (product.brand or "").lower(),
        "f_color": [c.lower() for c in product.colors],
        "price": float(product.price),
        "doc": json.loads(product.model_dump_json()),
    }


def filter_clauses(filters: SearchFilters | None) -> list[dict[str, Any]]:
    if filters is None:
        return []
    out: list[dict[str, Any]] = []
    price: dict[str, float] = {}
    if filters.price_min is not None:
        price["gte"] = float(filters.price_min)
    if filters.price_max is not None:
        price["lte"] = float(filters.price_max)
    if price:
        out.append({"range": {"price": price}})
    if filters.product_types:
        out.append({"terms": {"f_type": [v.upper() for v in filters.product_types]}})
    if filters.brands:
        out.append({"terms": {"f_brand": [v.lower() for v in filters.brands]}})
    if filters.colors:
        out.append({"terms": {"f_color": [v.lower() for v in filters.colors]}})
    return out


def search_body(query: str, k: int, filters: SearchFilters | None = None) -> dict[str, Any]:
    extra = [i for i in query_identifiers(query) if i not in query.lower().split()]
    query = " ".join([query, *extra])  # compacted identifiers, as tantivy does (ml/catalog/identifiers.py)
    return {
        "size": k,
        "track_total_hits": False,
        "_source": ["doc"],
        "query": {
            "bool": {
                "must": [
                    {
                        "multi_match": {
                            "query": query,
                            "fields": SEARCH_FIELDS,
                            "type": "most_fields",
                            "fuzziness": "AUTO",
                            "prefix_length": 1,
                        }
                    }
                ],
                "filter": filter_clauses(filters),
            }
        },
    }


def parse_hits(response: Any) -> list[IndexHit]:
    hits = []
    for rank, hit in enumerate(response["hits"]["hits"], start=1):
        product = Product.model_validate(hit["_source"]["doc"])
        hits.append(
            IndexHit(item_id=product.item_id, rank=rank, score=float(hit["_score"] or 0.0), product=product)
        )
    return hits


class ElasticsearchKeywordIndex:
    name = "elasticsearch"

    def __init__(self, url: str, index: str, api_key: str | None = None, timeout_s: float = 10.0) -> None:
        from elasticsearch import Elasticsearch

        self.index = index
        self.client = Elasticsearch(url, api_key=api_key, request_timeout=timeout_s, retry_on_timeout=True)
        self._ensured = False

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        from elasticsearch import ApiError, TransportError

        try:
            return fn(*args, **kwargs)
        except (ApiError, TransportError) as exc:
            raise IndexUnavailable(f"elasticsearch {what} failed: {exc}") from exc

    def ensure_index(self) -> None:
        if self._ensured:
            return
        if not self._call("exists", self.client.indices.exists, index=self.index):
            body = index_body()
            self._call(
                "create",
                self.client.indices.create,
                index=self.index,
                settings=body["settings"],
                mappings=body["mappings"],
            )
        self._ensured = True

    def _actions(self, products: Sequence[Product]) -> Iterator[dict[str, Any]]:
        for product in products:
            yield {
                "_op_type": "index",
                "_index": self.index,
                "_id": product.item_id,
                "_source": document_source(product),
            }

    def upsert(self, products: Sequence[Product]) -> int:
        from elasticsearch import helpers

        if not products:
            return 0
        self.ensure_index()
        ok, errors = self._call(
            "bulk",
            helpers.bulk,
            self.client,
            self._actions(products),
            raise_on_error=False,
            refresh="wait_for",
        )
        if errors:
            raise IndexUnavailable(f"elasticsearch bulk: {len(errors)} failed, first: {errors[0]}")
        return int(ok)

    def delete(self, item_ids: Sequence[str]) -> int:
        from elasticsearch import helpers

        ids = list(dict.fromkeys(i for i in item_ids if i))
        if not ids or not self._call("exists", self.client.indices.exists, index=self.index):
            return 0
        actions = ({"_op_type": "delete", "_index": self.index, "_id": i} for i in ids)
        _ok, errors = self._call(
            "bulk delete",
            helpers.bulk,
            self.client,
            actions,
            raise_on_error=False,
            refresh="wait_for",
        )
        missing = [e for e in errors if e.get("delete", {}).get("status") == 404]
        failed = [e for e in errors if e not in missing]
        if failed:
            raise IndexUnavailable(f"elasticsearch bulk delete: {len(failed)} failed, first: {failed[0]}")
        return len(ids) - len(missing)

    def search(self, query: str, k: int, filters: SearchFilters | None = None) -> list[IndexHit]:
        if not query.strip() or k <= 0:
            return []
        body = search_body(query, k, filters)
        response = self._call("search", self.client.search, index=self.index, **body)
        return parse_hits(response)

    def get(self, item_ids: Sequence[str]) -> dict[str, Product]:
        ids = [i for i in item_ids if i]
        if not ids:
            return {}
        response = self._call("mget", self.client.mget, index=self.index, ids=ids, source=["doc"])
        return {
            d["_id"]: Product.model_validate(d["_source"]["doc"]) for d in response["docs"] if d.get("found")
        }

    def ids(self) -> set[str]:
        from elasticsearch import helpers

        scan = helpers.scan(self.client, index=self.index, query={"query": {"match_all": {}}}, _source=False)
        return {hit["_id"] for hit in scan}

    def count(self) -> int:
        if not self._call("exists", self.client.indices.exists, index=self.index):
            return 0
        return int(self._call("count", self.client.count, index=self.index)["count"])

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except Exception:
            return False

    def clear(self) -> None:
        self._call("delete", self.client.indices.delete, index=self.index, ignore_unavailable=True)
        self._ensured = False
