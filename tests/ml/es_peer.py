"""A hand-written Elasticsearch peer on loopback for the conformance suite.

**Not recorded from a real server** (no Elasticsearch or OpenSearch can be installed here): it
speaks the Elasticsearch 8/9 REST wire format for exactly the calls
:class:`~ml.retrieval.elasticsearch_index.ElasticsearchKeywordIndex` makes — ``HEAD/PUT/DELETE``
of the index, ``_bulk`` (index and delete actions), ``_search`` (a ``bool`` query with one
``multi_match`` and ``range``/``terms`` filters, and the scroll that ``helpers.scan`` opens),
``_search/scroll``, ``_mget`` and ``_count`` — and *evaluates* them over the documents it holds,
so the same behavioural tests run against it as against tantivy and Milvus. Scoring is a crude
stand-in for BM25 (matched query terms, weighted by the field boosts); filters are exact, as in
Elasticsearch's filter context. Responses carry the headers the official client checks.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

INFO = {
    "name": "peer",
    "cluster_name": "hand-written-peer",
    "cluster_uuid": "x",
    "version": {"number": "9.1.0", "build_flavor": "default", "lucene_version": "10.2.2"},
    "tagline": "You Know, for Search",
}
_TOKEN = re.compile(r"\w+", re.UNICODE)


def _terms(text: str) -> set[str]:
    out = set()
    for token in _TOKEN.findall(text.lower()):
        out.add(token[:-1] if len(token) > 3 and token.endswith("s") else token)  # "boots" ≈ "boot"
    return out


class PeerState:
    def __init__(self, index: str) -> None:
        self.index = index
        self.exists = False
        self.docs: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    # ------------------------------------------------------------------ query evaluation
    @staticmethod
    def _passes(source: dict[str, Any], clause: dict[str, Any]) -> bool:
        if "range" in clause:
            ((field, bounds),) = clause["range"].items()
            value = source.get(field)
            if value is None:
                return False
            return not (
                ("gte" in bounds and value < bounds["gte"]) or ("lte" in bounds and value > bounds["lte"])
            )
        if "terms" in clause:
            ((field, wanted),) = clause["terms"].items()
            have = source.get(field)
            have_set = set(have) if isinstance(have, list) else {have}
            return bool(have_set & set(wanted))
        raise ValueError(f"peer does not evaluate {clause}")

    def _score(self, source: dict[str, Any], match: dict[str, Any]) -> float:
        wanted = _terms(match["query"])
        score = 0.0
        for spec in match["fields"]:
            field, _, boost = spec.partition("^")
            score += float(boost or 1.0) * len(wanted & _terms(str(source.get(field, ""))))
        return score

    def search(self, body: dict[str, Any]) -> list[tuple[float, str]]:
        query = body.get("query", {"match_all": {}})
        if "match_all" in query:
            return [(1.0, i) for i in sorted(self.docs)]
        boolean = query["bool"]
        scored = []
        for item_id, source in self.docs.items():
            if not all(self._passes(source, c) for c in boolean.get("filter", [])):
                continue
            score = sum(self._score(source, m["multi_match"]) for m in boolean.get("must", []))
            if score > 0:
                scored.append((score, item_id))
        scored.sort(key=lambda si: (-si[0], si[1]))
        return scored[: int(body.get("size", 10))]


def make_handler(state: PeerState, fail: threading.Event) -> type[BaseHTTPRequestHandler]:
    name = state.index

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

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

        def _hits(self, scored: list[tuple[float, str]], with_source: bool) -> list[dict[str, Any]]:
            return [
                {
                    "_index": name,
                    "_id": item_id,
                    "_score": score,
                    **({"_source": {"doc": state.docs[item_id]["doc"]}} if with_source else {}),
                }
                for score, item_id in scored
            ]

        def _bulk(self, body: bytes) -> dict[str, Any]:
            lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
            items, errors, i = [], False, 0
            while i < len(lines):
                action = lines[i]
                op, meta = next(iter(action.items()))
                if op == "index":
                    created = meta["_id"] not in state.docs
                    state.docs[meta["_id"]] = lines[i + 1]
                    status, result = (201, "created") if created else (200, "updated")
                    i += 2
                elif op == "delete":
                    found = state.docs.pop(meta["_id"], None) is not None
                    status, result = (200, "deleted") if found else (404, "not_found")
                    i += 1
                    errors = errors or not found
                else:
                    raise ValueError(f"peer does not do bulk {op}")
                items.append({op: {"_index": name, "_id": meta["_id"], "result": result, "status": status}})
            return {"errors": errors, "took": 1, "items": items}

        def _handle(self) -> None:
            body = self._body()
            url = urlsplit(self.path)
            path, params = url.path, parse_qs(url.query)
            if fail.is_set():
                down = {"error": {"type": "unavailable", "reason": "peer down"}, "status": 503}
                return self._send(503, down)
            with state.lock:
                if path == "/":
                    return self._send(200, INFO)
                if path == f"/{name}" and self.command == "HEAD":
                    return self._send(200 if state.exists else 404)
                if path == f"/{name}" and self.command == "PUT":
                    state.exists = True
                    return self._send(200, {"acknowledged": True, "shards_acknowledged": True, "index": name})
                if path == f"/{name}" and self.command == "DELETE":
                    state.exists, state.docs = False, {}
                    return self._send(200, {"acknowledged": True})
                if path == "/_bulk":
                    state.exists = True
                    return self._send(200, self._bulk(body))
                if path == f"/{name}/_search":
                    request = json.loads(body or b"{}")
                    if "scroll" in params:  # helpers.scan: everything in one page
                        hits = self._hits(state.search({"query": request.get("query")}), with_source=False)
                        return self._send(200, {"_scroll_id": "s1", "hits": {"hits": hits}, "_shards": {}})
                    hits = self._hits(state.search(request), with_source=True)
                    return self._send(200, {"took": 1, "timed_out": False, "hits": {"hits": hits}})
                if path == "/_search/scroll":
                    if self.command == "DELETE":
                        return self._send(200, {"succeeded": True, "num_freed": 1})
                    return self._send(200, {"_scroll_id": "s1", "hits": {"hits": []}, "_shards": {}})
                if path == f"/{name}/_mget":
                    ids = json.loads(body)["ids"]
                    docs = [
                        {"_index": name, "_id": i, "found": True, "_source": {"doc": state.docs[i]["doc"]}}
                        if i in state.docs
                        else {"_index": name, "_id": i, "found": False}
                        for i in ids
                    ]
                    return self._send(200, {"docs": docs})
                if path == f"/{name}/_count":
                    return self._send(200, {"count": len(state.docs), "_shards": {"total": 1}})
            return self._send(404, {"error": f"peer does not serve {self.command} {path}", "status": 404})

        do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _handle

    return Handler


class ElasticsearchPeer:
    def __init__(self, index: str = "shoptalk-products") -> None:
        self.state = PeerState(index)
        self.failing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self.state, self.failing))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def elasticsearch_peer(index: str = "shoptalk-products") -> Iterator[ElasticsearchPeer]:
    peer = ElasticsearchPeer(index)
    try:
        yield peer
    finally:
        peer.close()
