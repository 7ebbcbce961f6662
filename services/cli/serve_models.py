"""``shoptalk serve asr|embedder|captioner|reranker``: a KServe ModelServer per model, on loopback by default.

``--ray-replicas N`` runs N replicas of the model under Ray Serve behind the same ModelServer
(``kserve.ray.RayModel``) when Ray is installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from ml.config import Settings
from services.cli.common import console, settings_for_cli
from services.cli.serve import serve_app

HOST = typer.Option("127.0.0.1", "--host", help="Bind address (0.0.0.0 only inside a container).")
GRPC_PORT = typer.Option(
    None, "--grpc-port", help="Also serve gRPC v2 on this port (all interfaces). Off by default."
)
RAY_REPLICAS = typer.Option(
    0, "--ray-replicas", min=0, help="Run N replicas under Ray Serve (needs ray[serve])."
)


def _build(kind: str, settings: Settings) -> Any:
    if kind == "embedder":
        from services.embedder.model import build_model as build_embedder

        return build_embedder(settings)
    if kind == "asr":
        from services.asr.model import build_model as build_asr

        return build_asr(settings)
    if kind == "reranker":
        from services.reranker.model import build_model as build_reranker

        return build_reranker(settings)
    from services.captioner.model import build_model as build_captioner

    return build_captioner(settings)


def _ray_models(kind: str, settings: Settings, replicas: int) -> list[Any]:
    try:
        from kserve.ray import RayModel
        from ray import serve
    except ImportError as exc:
        raise typer.BadParameter(
            "--ray-replicas needs Ray Serve, which is not installed in this environment "
            "(pip install 'ray[serve]'); run without --ray-replicas for a single in-process replica",
            param_hint="--ray-replicas",
        ) from exc

    @serve.deployment(name=kind, num_replicas=replicas)
    class _Replica:  # pragma: no cover - needs ray
        def __init__(self) -> None:
            self.model = _build(kind, settings)
            self.model.load()

        async def __call__(self, body: Any, headers: Any = None) -> Any:
            return await self.model(body, headers=headers)

        def load(self) -> bool:
            return bool(self.model.ready)

        def get_input_types(self) -> list[dict[str, Any]]:
            return list(self.model.get_input_types())

        def get_output_types(self) -> list[dict[str, Any]]:
            return list(self.model.get_output_types())

    handle = serve.run(_Replica.bind(), name=kind, route_prefix=None)  # type: ignore[attr-defined]
    model = RayModel(kind, handle)
    model.load()
    return [model]


def _serve(kind: str, host: str, port: int, grpc_port: int | None, ray_replicas: int) -> None:
    from services.common.server import serve_models

    settings = settings_for_cli()
    models = _ray_models(kind, settings, ray_replicas) if ray_replicas else [_build(kind, settings)]
    console.print(f"serving [bold]{kind}[/] on http://{host}:{port}/v2/models/{kind}")
    serve_models(models, host=host, http_port=port, grpc_port=grpc_port)


def _command(kind: str, default_port: int) -> Callable[..., None]:
    def command(
        host: str = HOST,
        port: int = typer.Option(default_port, "--port", help="HTTP port."),
        grpc_port: int | None = GRPC_PORT,
        ray_replicas: int = RAY_REPLICAS,
    ) -> None:
        _serve(kind, host, port, grpc_port, ray_replicas)

    command.__doc__ = f"Serve the KServe '{kind}' model (Open Inference Protocol v2 + v1)."
    return command


def register(app: typer.Typer) -> None:
    for kind, port in (("embedder", 8091), ("asr", 8092), ("captioner", 8093), ("reranker", 8094)):
        serve_app.command(kind)(_command(kind, port))
