"""Embedded keyword index: tantivy (BM25, English stemming, fuzzy terms) under the data dir."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tantivy

from ml.catalog.document import keyword_fields
from ml.catalog.identifiers import query_identifiers
from ml.catalog.product import Product
from ml.retrieval.protocols import IndexUnavailable
from ml.retrieval.types import IndexHit, SearchFilters

TEXT_FIELDS = ("title", "brand", "category", "attributes", "body")
FIELD_BOOSTS = {"title": 3.0, "brand": 2.0, "category": 2.0, "attributes": 1.5, "body": 1.0}
FUZZY_WEIGHT = 0.3
FUZZY_MIN_CHARS = 4
_TOKEN = re.compile(r"[\w]+", re.UNICODE)


# Lucene's English stop words (what Elasticsearch's ``english`` analyzer drops), plus the
# query-syntax operators. Dropped only when the query has other terms left.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    ]
)


def query_terms(text: str) -> list[str]:
    """Plain lower-case terms, plus compacted identifiers ("SM-G991B" → also "smg991b");
    query-syntax characters never reach tantivy's parser."""
    terms = [t for t in _TOKEN.findall(text.lower()) if t not in {"and", "or", "not"}]
    content = [t for t in terms if t not in STOP_WORDS]
    extra = [i for i in query_identifiers(text) if i not in terms]
    return ((content or terms) + extra)[:32]


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("item_id", stored=True, tokenizer_name="raw")
    for name in TEXT_FIELDS:
        b.add_text_field(name, stored=False, tokenizer_name="en_stem")
    # Unstemmed copy of title + category: fuzzy matching on stems misses typos ("hikng" vs "hike").
    b.add_text_field("fuzzy", stored=False, tokenizer_name="default", index_option="freq")
    b.add_text_field("f_type", tokenizer_name="raw", index_option="basic")
    b.add_text_field("f_brand", tokenizer_name="raw", index_option="basic")
    b.add_text_field("f_color", tokenizer_name="raw", index_option="basic")
    b.add_float_field("price", stored=False, indexed=True, fast=True)
    b.add_bytes_field("doc", stored=True)
    return b.build()


class TantivyKeywordIndex:
    name = "tantivy"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        try:
            self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        except ValueError as exc:  # incompatible or corrupt index folder
            raise IndexUnavailable(f"tantivy index at {self.path}: {exc}") from exc
        self._write_lock = threading.Lock()

    # ------------------------------------------------------------------ writing
    def _document(self, product: Product) -> tantivy.Document:
        fields: dict[str, Any] = dict(keyword_fields(product))
        fields["fuzzy"] = f"{fields['title']} {fields['category']} {fields['brand']}"
        fields["item_id"] = product.item_id
        fields["f_type"] = product.product_type.upper()
        fields["f_brand"] = (product.brand or "").lower()
        fields["f_color"] = [c.lower() for c in product.colors] or [""]
        fields["price"] = float(product.price)
        fields["doc"] = product.model_dump_json().encode("utf-8")
        return tantivy.Document(**fields)

    def upsert(self, products: Sequence[Product]) -> int:
        if not products:
            return 0
        with self._write_lock:
            writer = self.index.writer(heap_size=64_000_000, num_threads=1)
            try:
                for product in products:
                    writer.delete_documents_by_term("item_id", product.item_id)
                    writer.add_document(self._document(product))
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
            self.index.reload()
        return len(products)

    def delete(self, item_ids: Sequence[str]) -> int:
        ids = list(dict.fromkeys(i for i in item_ids if i))
        present = set(self.get(ids)) if ids else set()
        if not present:
            return 0
        with self._write_lock:
            writer = self.index.writer(heap_size=15_000_000, num_threads=1)
            try:
                for item_id in present:
                    writer.delete_documents_by_term("item_id", item_id)
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
            self.index.reload()
        return len(present)

    def clear(self) -> None:
        with self._write_lock:
            writer = self.index.writer(heap_size=15_000_000, num_threads=1)
            writer.delete_all_documents()
            writer.commit()
            writer.wait_merging_threads()
            self.index.reload()

    def destroy(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    # ------------------------------------------------------------------ reading
    def _filter_queries(self, filters: SearchFilters | None) -> list[tantivy.Query]:
        if filters is None:
            return []
        out: list[tantivy.Query] = []
        if filters.price_min is not None or filters.price_max is not None:
            out.append(
                tantivy.Query.range_query(
                    self.schema, "price", tantivy.FieldType.Float, filters.price_min, filters.price_max
                )
            )
        for field, values in (
            ("f_type", [v.upper() for v in filters.product_types]),
            ("f_brand", [v.lower() for v in filters.brands]),
            ("f_color", [v.lower() for v in filters.colors]),
        ):
            if values:
                out.append(tantivy.Query.term_set_query(self.schema, field, values))
        return out

    def _text_query(self, terms: list[str]) -> tantivy.Query:
        text = " ".join(terms)
        bm25 = self.index.parse_query(text, list(TEXT_FIELDS), field_boosts=FIELD_BOOSTS)
        long_terms = " ".join(t for t in terms if len(t) >= FUZZY_MIN_CHARS and not t.isdigit())
        if not long_terms:
            return bm25
        fuzzy = self.index.parse_query(long_terms, ["fuzzy"], fuzzy_fields={"fuzzy": (False, 1, True)})
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, bm25),
                (tantivy.Occur.Should, tantivy.Query.boost_query(fuzzy, FUZZY_WEIGHT)),
            ]
        )

    def search(self, query: str, k: int, filters: SearchFilters | None = None) -> list[IndexHit]:
        terms = query_terms(query)
        if not terms or k <= 0:
            return []
        clauses = [(tantivy.Occur.Must, self._text_query(terms))]
        clauses += [(tantivy.Occur.Must, f) for f in self._filter_queries(filters)]
        try:
            searcher = self.index.searcher()
            result = searcher.search(tantivy.Query.boolean_query(clauses), k)
            hits = []
            for rank, (score, address) in enumerate(result.hits, start=1):
                doc = searcher.doc(address)
                product = Product.model_validate_json(bytes(doc["doc"][0]))
                hits.append(IndexHit(item_id=product.item_id, rank=rank, score=float(score), product=product))
            return hits
        except (ValueError, OSError) as exc:
            raise IndexUnavailable(f"tantivy search failed: {exc}") from exc

    def get(self, item_ids: Sequence[str]) -> dict[str, Product]:
        ids = [i for i in item_ids if i]
        if not ids:
            return {}
        searcher = self.index.searcher()
        query = tantivy.Query.term_set_query(self.schema, "item_id", ids)
        result = searcher.search(query, len(ids))
        out = {}
        for _score, address in result.hits:
            product = Product.model_validate_json(bytes(searcher.doc(address)["doc"][0]))
            out[product.item_id] = product
        return out

    def ids(self) -> set[str]:
        searcher = self.index.searcher()
        total = searcher.num_docs
        if total == 0:
            return set()
        result = searcher.search(tantivy.Query.all_query(), total)
        return {str(searcher.doc(address)["item_id"][0]) for _score, address in result.hits}

    def count(self) -> int:
        return int(self.index.searcher().num_docs)

    def ping(self) -> bool:
        try:
            self.index.searcher()
            return True
        except Exception:
            return False
