"""``shoptalk serve asr|embedder|captioner|reranker``: a KServe ModelServer per model, on loopback by default.

``--ray-replicas N`` runs N replicas of the model under Ray Serve behind the same ModelServer
(``kserve.ray.RayModel``; :mod:`services.common.ray_replicas`) when the ``ray`` extra is installed:
on a private local Ray, or on a cluster given by ``--ray-address`` / ``RAY_ADDRESS`` (KubeRay).
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
    0, "--ray-replicas", min=0, help="Run N replicas under Ray Serve (needs the 'ray' extra)."
)
RAY_ADDRESS = typer.Option(
    None,
    "--ray-address",
    envvar="RAY_ADDRESS",
    help="Ray cluster for the replicas (ray://HEAD:10001, e.g. a KubeRay RayCluster); default: a local Ray.",
)
RAY_REPLICA_CPUS = typer.Option(1.0, "--ray-replica-cpus", min=0.01, help="CPUs Ray reserves per replica.")
RAY_REPLICA_GPUS = typer.Option(0.0, "--ray-replica-gpus", min=0.0, help="GPUs Ray reserves per replica.")


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


def _ray_models(
    kind: str, settings: Settings, replicas: int, cpus: float, gpus: float, address: str | None
) -> list[Any]:
    from services.common.ray_replicas import RayUnavailable, ray_models

    def build() -> Any:
        return _build(kind, settings)

    try:
        return ray_models(kind, build, replicas, replica_cpus=cpus, replica_gpus=gpus, address=address)
    except RayUnavailable as exc:
        raise typer.BadParameter(str(exc), param_hint="--ray-replicas") from exc


def _serve(
    kind: str,
    host: str,
    port: int,
    grpc_port: int | None,
    ray_replicas: int,
    ray_address: str | None = None,
    ray_replica_cpus: float = 1.0,
    ray_replica_gpus: float = 0.0,
) -> None:
    from services.common.server import serve_models

    settings = settings_for_cli()
    if ray_replicas:
        models = _ray_models(kind, settings, ray_replicas, ray_replica_cpus, ray_replica_gpus, ray_address)
    else:
        models = [_build(kind, settings)]
    console.print(f"serving [bold]{kind}[/] on http://{host}:{port}/v2/models/{kind}")
    serve_models(models, host=host, http_port=port, grpc_port=grpc_port)


def _command(kind: str, default_port: int) -> Callable[..., None]:
    def command(
        host: str = HOST,
        port: int = typer.Option(default_port, "--port", help="HTTP port."),
        grpc_port: int | None = GRPC_PORT,
        ray_replicas: int = RAY_REPLICAS,
        ray_address: str | None = RAY_ADDRESS,
        ray_replica_cpus: float = RAY_REPLICA_CPUS,
        ray_replica_gpus: float = RAY_REPLICA_GPUS,
    ) -> None:
        _serve(kind, host, port, grpc_port, ray_replicas, ray_address, ray_replica_cpus, ray_replica_gpus)

    command.__doc__ = f"Serve the KServe '{kind}' model (Open Inference Protocol v2 + v1)."
    return command


def register(app: typer.Typer) -> None:
    for kind, port in (("embedder", 8091), ("asr", 8092), ("captioner", 8093), ("reranker", 8094)):
        serve_app.command(kind)(_command(kind, port))
