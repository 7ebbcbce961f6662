"""Run KServe models on a ``ModelServer`` bound to a chosen host (loopback by default).

KServe 0.21 hard-codes ``0.0.0.0`` for HTTP and starts gRPC on 8081 unless told otherwise;
this server binds HTTP to ``host`` and only starts gRPC when a port is given (KServe's gRPC
server always listens on every interface, so keep it off on shared machines).
It also turns KServe's own "binary BYTES tensor is not UTF-8" failure into a 400 telling the
client to base64-encode audio/images, instead of a 500.

The overrides below (``_add_middlewares``, ``_add_exception_handlers``, the REST/gRPC server
set-up) are private KServe 0.21 methods, so ``pyproject.toml`` pins ``kserve==0.21.*``; moving the
pin means re-reading those methods (``tests/services/test_kserve_pin.py`` fails if they vanish).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import fastapi
from fastapi.responses import JSONResponse
from kserve import Model, ModelServer
from kserve.errors import InferenceError, inference_error_handler
from kserve.model_server import args as kserve_args
from kserve.protocol.grpc.server import GRPCServer
from kserve.protocol.rest.server import RESTServer

from ml.logging import get_logger

log = get_logger(__name__)


async def _inference_error_handler(request: fastapi.Request, exc: Exception) -> Any:
    if isinstance(exc, InferenceError) and "UTF-8" in str(exc):
        return JSONResponse(
            status_code=HTTPStatus.BAD_REQUEST,
            content={
                "error": "BYTES tensor elements must be UTF-8 text over REST: base64-encode audio/images"
            },
        )
    return await inference_error_handler(request, exc)


class _JsonContentTypeMiddleware:
    """v2 requests without a JSON content type and without the binary-data header are JSON.

    KServe 0.21 reads such bodies as binary tensors and rejects them; tritonclient sends
    pure-JSON requests (``binary_data=False``) without a content type.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope.get("type") == "http"
            and scope.get("method") == "POST"
            and str(scope.get("path", "")).startswith(("/v1/", "/v2/"))
        ):
            headers = [(k.lower(), v) for k, v in scope.get("headers", [])]
            names = {k for k, _ in headers}
            content_type = dict(headers).get(b"content-type", b"")
            binary = b"inference-header-content-length" in names or b"ce-specversion" in names
            if not binary and not content_type.startswith(b"application/json"):
                headers = [(k, v) for k, v in headers if k != b"content-type"]
                headers.append((b"content-type", b"application/json"))
                scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


class _HostRESTServer(RESTServer):
    def __init__(self, *args: Any, host: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config.host = host

    def _add_middlewares(self, app: fastapi.FastAPI) -> None:
        super()._add_middlewares(app)
        app.add_middleware(_JsonContentTypeMiddleware)

    def _add_exception_handlers(self, app: fastapi.FastAPI) -> None:
        super()._add_exception_handlers(app)
        app.add_exception_handler(InferenceError, _inference_error_handler)


class HostModelServer(ModelServer):
    """``ModelServer`` with a bind host and optional gRPC (single uvicorn worker)."""

    def __init__(self, host: str = "127.0.0.1", http_port: int = 8080, grpc_port: int | None = None) -> None:
        super().__init__(
            http_port=http_port,
            grpc_port=grpc_port or 0,
            enable_grpc=grpc_port is not None,
            workers=1,
            enable_latency_logging=False,
            grace_period=10,
        )
        self.host = host

    def start(self, models: list[Any]) -> None:
        import asyncio

        self._register_and_check_atleast_one_model_is_ready(models)
        self._rest_server = _HostRESTServer(
            "kserve.model_server:app",
            self.dataplane,
            self.model_repository_extension,
            self.http_port,
            grace_period=self.grace_period,
            event_loop=self.event_loop,
            timeout_keep_alive=self.timeout_keep_alive,
            host=self.host,
        )
        self.servers.append(self._rest_server.start())
        if self.enable_grpc:
            self._grpc_server = GRPCServer(
                self.grpc_port,
                self.dataplane,
                self.model_repository_extension,
                kwargs=vars(kserve_args),
                grace_period=5,
            )
            self.servers.append(self._grpc_server.start(self.max_threads))
        self.setup_event_loop()
        self.register_signal_handler()
        log.info(
            "model_server.start",
            host=self.host,
            http_port=self.http_port,
            grpc_port=self.grpc_port if self.enable_grpc else None,
            models=[m.name for m in models],
        )
        asyncio.run(self._serve())


def serve_models(
    models: list[Model], host: str = "127.0.0.1", http_port: int = 8080, grpc_port: int | None = None
) -> None:
    """Load every model, then serve until SIGINT/SIGTERM."""
    for model in models:
        if not model.ready:
            model.load()
    from ml.config import get_settings
    from ml.observability.tracing import install_kserve_tracing

    install_kserve_tracing(f"shoptalk-{models[0].name}", get_settings())
    HostModelServer(host=host, http_port=http_port, grpc_port=grpc_port).start(models)
