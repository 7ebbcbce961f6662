"""A local OpenAI-compatible chat-completions server with canned behaviour.

It speaks the real wire protocol (``POST /v1/chat/completions``, JSON or ``data: {...}`` SSE
chunks ending in ``data: [DONE]``, usage, OpenAI-style error bodies), so the gateway's real
``openai`` SDK client talks to it over HTTP. Used by the gateway benchmark (an *instant* LLM, to
measure gateway overhead) and by the tests (``tests/fakes/openai_server.py``).

Behaviour (attributes, changeable while running):
- ``mode="echo"``: answer citing the products found in the prompt's data block (and, when
  ``invent_id`` is set, one invented id the gateway must drop); ``mode="fixed"``: ``fixed_text``.
- ``error_status`` (e.g. 500, 429): reply with that error instead.
- ``delay_s``: wait before answering (timeouts); ``chunk_delay_s``: between stream chunks;
  ``fail_after_chunks``: drop the connection mid-stream after that many content chunks.
- ``rewrite_response``: the reply to JSON-mode (query rewrite) requests; default ``{}`` (unusable).
- ``generator(messages, max_tokens) -> text``: answer with a real local model instead.
Every request body is recorded in ``requests``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from services.gateway.prompt import extract_products_block


def _count_tokens(text: str) -> int:
    return max(1, len(text.split()))


class OpenAIStubServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._generate_lock = threading.Lock()
        self.reset()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> OpenAIStubServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="openai-stub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> OpenAIStubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Back to the default behaviour, with no recorded requests."""
        self.mode = "echo"
        self.fixed_text = "Hello from the stub."
        self.invent_id: str | None = None
        self.error_status: int | None = None
        self.delay_s = 0.0
        self.chunk_delay_s = 0.0
        self.rewrite_response = "{}"
        self.fail_after_chunks: int | None = None
        self.generator: Callable[[list[dict[str, Any]], int], str] | None = None
        with self._lock:
            self.requests.clear()
            self.headers.clear()

    # ------------------------------------------------------------------ behaviour
    def answer_for(self, body: dict[str, Any]) -> str:
        if (body.get("response_format") or {}).get("type") == "json_object":
            return self.rewrite_response
        if self.generator is not None:  # a real local model behind the same wire protocol
            with self._generate_lock:
                return self.generator(list(body.get("messages") or []), int(body.get("max_tokens") or 256))
        if self.mode == "fixed":
            return self.fixed_text
        messages = body.get("messages") or []
        last_user = next((m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), "")
        products = extract_products_block(str(last_user)) or []
        if not products:
            return "I couldn't find matching products in the catalog."
        parts = [f"{p.get('title')} [{p.get('item_id')}] costs ${p.get('price_usd')}" for p in products[:3]]
        text = "From the catalog: " + "; ".join(parts) + "."
        if self.invent_id:
            text += f" You might also like [{self.invent_id}]."
        return text

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.rstrip("/") == "/v1/models":
                    self._json(
                        200,
                        {"object": "list", "data": [{"id": "stub", "object": "model", "owned_by": "stub"}]},
                    )
                else:
                    self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                try:
                    body = json.loads(raw)
                except json.JSONDecodeError:
                    self._json(400, {"error": {"message": "invalid JSON", "type": "invalid_request_error"}})
                    return
                with stub._lock:
                    stub.requests.append(body)
                    stub.headers.append({k.lower(): v for k, v in self.headers.items()})
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
                    return
                try:
                    if stub.delay_s:
                        time.sleep(stub.delay_s)
                    if stub.error_status:
                        kind = "rate_limit_exceeded" if stub.error_status == 429 else "server_error"
                        self._json(
                            stub.error_status,
                            {
                                "error": {
                                    "message": f"stub error {stub.error_status}",
                                    "type": kind,
                                    "code": kind,
                                }
                            },
                        )
                        return
                    text = stub.answer_for(body)
                    if body.get("stream"):
                        self._stream(body, text)
                    else:
                        self._complete(body, text)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up (timeout test)

            def _complete(self, body: dict[str, Any], text: str) -> None:
                prompt = " ".join(str(m.get("content", "")) for m in body.get("messages") or [])
                self._json(
                    200,
                    {
                        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", "stub"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": text},
                                "finish_reason": "stop",
                                "logprobs": None,
                            }
                        ],
                        "usage": {
                            "prompt_tokens": _count_tokens(prompt),
                            "completion_tokens": _count_tokens(text),
                            "total_tokens": _count_tokens(prompt) + _count_tokens(text),
                        },
                    },
                )

            def _stream(self, body: dict[str, Any], text: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                cid, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())
                model = body.get("model", "stub")

                def chunk(
                    delta: dict[str, Any], finish: str | None = None, usage: Any = None, choices: bool = True
                ) -> None:
                    payload = {
                        "id": cid,
                        "object": "chat.completion.chunk",
                        "created": created,
                        "model": model,
                        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]
                        if choices
                        else [],
                        "usage": usage,
                    }
                    self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
                    self.wfile.flush()

                chunk({"role": "assistant", "content": ""})
                words = text.split(" ")
                for n, i in enumerate(range(0, len(words), 2)):
                    if stub.fail_after_chunks is not None and n >= stub.fail_after_chunks:
                        return  # connection closes without finish_reason or [DONE]
                    piece = " ".join(words[i : i + 2]) + (" " if i + 2 < len(words) else "")
                    chunk({"content": piece})
                    if stub.chunk_delay_s:
                        time.sleep(stub.chunk_delay_s)
                chunk({}, finish="stop")
                if (body.get("stream_options") or {}).get("include_usage"):
                    prompt = " ".join(str(m.get("content", "")) for m in body.get("messages") or [])
                    chunk(
                        {},
                        usage={
                            "prompt_tokens": _count_tokens(prompt),
                            "completion_tokens": _count_tokens(text),
                            "total_tokens": _count_tokens(prompt) + _count_tokens(text),
                        },
                        choices=False,
                    )
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        return Handler
