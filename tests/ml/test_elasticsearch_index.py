"""The Elasticsearch backend through the official client, against a loopback HTTP peer.

No Elasticsearch server can be installed here (no registry ships one), so the peer replays
hand-written responses in Elasticsearch 8/9's wire shape (``recorded/``: written by hand, not
captured from a real server) and records what the client sent; the tests check request
building and response parsing end to end. ``es_peer.py`` evaluates queries for the
conformance suite.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ml.catalog.product import Product
from ml.retrieval.elasticsearch_index import ElasticsearchKeywordIndex, index_body, search_body
from ml.retrieval.protocols import IndexUnavailable, KeywordIndex
from ml.retrieval.types import SearchFilters

RECORDED = json.loads((Path(__file__).parent / "recorded" / "es_search_response.json").read_text())
INFO = {
    "name": "es01",
    "cluster_name": "docker-cluster",
    "cluster_uuid": "x",
    "version": {"number": "9.1.0", "build_flavor": "default", "lucene_version": "10.2.2"},
    "tagline": "You Know, for Search",
}


class Recorder:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, bytes]] = []
        self.exists = False
        self.docs: dict[str, dict[str, Any]] = {}
        self.fail_search = False


def make_handler(state: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: Any | None = None) -> None:
            payload = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Type", "application/vnd.elasticsearch+json;compatible-with=9")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _handle(self) -> None:
            body = self._body()
            path = self.path.split("?")[0]
            state.requests.append((self.command, self.path, body))
            if path == "/":
                return self._send(200, INFO)
            if path == "/shoptalk-products" and self.command == "HEAD":
                return self._send(200 if state.exists else 404)
            if path == "/shoptalk-products" and self.command == "PUT":
                state.exists = True
                return self._send(
                    200, {"acknowledged": True, "shards_acknowledged": True, "index": "shoptalk-products"}
                )
            if path == "/shoptalk-products" and self.command == "DELETE":
                state.exists, state.docs = False, {}
                return self._send(200, {"acknowledged": True})
            if path == "/_bulk":
                lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
                items = []
                for action, source in zip(lines[::2], lines[1::2], strict=True):
                    meta = action["index"]
                    created = meta["_id"] not in state.docs
                    state.docs[meta["_id"]] = source
                    items.append(
                        {
                            "index": {
                                "_index": meta["_index"],
                                "_id": meta["_id"],
                                "_version": 1,
                                "result": "created" if created else "updated",
                                "_shards": {"total": 1, "successful": 1, "failed": 0},
                                "_seq_no": len(items),
                                "_primary_term": 1,
                                "status": 201 if created else 200,
                            }
                        }
                    )
                return self._send(200, {"errors": False, "took": 3, "items": items})
            if path == "/shoptalk-products/_search":
                if state.fail_search:
                    return self._send(
                        503,
                        {"error": {"type": "cluster_block_exception", "reason": "blocked"}, "status": 503},
                    )
                return self._send(200, RECORDED)
            if path == "/shoptalk-products/_mget":
                ids = json.loads(body)["ids"]
                return self._send(
                    200,
                    {
                        "docs": [
                            {
                                "_index": "shoptalk-products",
                                "_id": i,
                                "found": True,
                                "_source": {"doc": state.docs[i]["doc"]},
                            }
                            if i in state.docs
                            else {"_index": "shoptalk-products", "_id": i, "found": False}
                            for i in ids
                        ]
                    },
                )
            if path == "/shoptalk-products/_count":
                return self._send(200, {"count": len(state.docs), "_shards": {"total": 1, "successful": 1}})
            return self._send(404, {"error": "unexpected " + path, "status": 404})

        do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _handle

    return Handler


@pytest.fixture
def es() -> Iterator[tuple[ElasticsearchKeywordIndex, Recorder]]:
    state = Recorder()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    index = ElasticsearchKeywordIndex(
        f"http://127.0.0.1:{server.server_address[1]}", "shoptalk-products", timeout_s=2
    )
    yield index, state
    server.shutdown()


def test_mapping_uses_english_analyzer_and_keyword_filters() -> None:
    props = index_body()["mappings"]["properties"]
    assert props["title"] == {"type": "text", "analyzer": "english"}
    assert props["f_brand"]["type"] == props["f_type"]["type"] == props["f_color"]["type"] == "keyword"
    assert props["price"]["type"] == "float"
    assert props["doc"] == {"type": "object", "enabled": False}


def test_search_body_puts_filters_in_filter_context() -> None:
    body = search_body(
        "boots", 5, SearchFilters(price_max=50, brands=["Acme"], product_types=["boot"], colors=["Red"])
    )
    assert body["size"] == 5
    query = body["query"]["bool"]
    assert query["must"][0]["multi_match"]["query"] == "boots"
    assert "title^3" in query["must"][0]["multi_match"]["fields"]
    assert query["filter"] == [
        {"range": {"price": {"lte": 50.0}}},
        {"terms": {"f_type": ["BOOT"]}},
        {"terms": {"f_brand": ["acme"]}},
        {"terms": {"f_color": ["red"]}},
    ]


def test_bulk_upsert_creates_index_and_is_idempotent(es: tuple[ElasticsearchKeywordIndex, Recorder]) -> None:
    index, state = es
    assert isinstance(index, KeywordIndex)
    products = [
        Product(item_id="B1", title="Boot", product_type="BOOT", price=10.0),
        Product(item_id="B2", title="Case", brand="Casey", product_type="CELLULAR_PHONE_CASE", price=5.0),
    ]
    assert index.upsert(products) == 2
    assert index.upsert(products[:1]) == 1
    assert index.count() == 2
    create = [r for r in state.requests if r[0] == "PUT" and r[1].startswith("/shoptalk-products")]
    assert len(create) == 1
    assert json.loads(create[0][2])["mappings"]["properties"]["title"]["analyzer"] == "english"
    bulk = [r for r in state.requests if r[1].startswith("/_bulk")]
    assert "refresh=wait_for" in bulk[0][1]
    action, source = (json.loads(line) for line in bulk[0][2].decode().splitlines()[:2])
    assert action == {"index": {"_index": "shoptalk-products", "_id": "B1"}}
    assert source["f_type"] == "BOOT" and source["doc"]["item_id"] == "B1"
    assert index.get(["B2", "nope"])["B2"].brand == "Casey"


def test_search_parses_recorded_response(es: tuple[ElasticsearchKeywordIndex, Recorder]) -> None:
    index, state = es
    hits = index.search("hiking boots", 2, SearchFilters(price_max=200))
    assert [(h.item_id, h.rank) for h in hits] == [("B0BOOT0001", 1), ("B0BOOT0002", 2)]
    assert hits[0].score == pytest.approx(7.1234) and hits[0].product.brand == "Trailblaze"
    sent = json.loads(next(r for r in state.requests if r[1].startswith("/shoptalk-products/_search"))[2])
    assert sent["query"]["bool"]["filter"] == [{"range": {"price": {"lte": 200.0}}}]


def test_errors_become_index_unavailable(es: tuple[ElasticsearchKeywordIndex, Recorder]) -> None:
    index, state = es
    state.fail_search = True
    with pytest.raises(IndexUnavailable, match="search"):
        index.search("boots", 3)


def test_unreachable_cluster_is_unavailable() -> None:
    index = ElasticsearchKeywordIndex("http://127.0.0.1:9", "shoptalk-products", timeout_s=0.5)
    assert index.ping() is False
    with pytest.raises(IndexUnavailable):
        index.search("boots", 3)
