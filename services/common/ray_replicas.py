"""N replicas of a model server's model under Ray Serve, behind the same KServe ``ModelServer``.

``shoptalk serve KIND --ray-replicas N`` builds the model inside N Ray Serve replicas and
registers a ``kserve.ray.RayModel`` (a handle to them) with the ``ModelServer``: the v1/v2 HTTP
API, readiness and metadata are unchanged, and each request goes to one replica.

Where the replicas run:

- no address (default): a private local Ray started by this process on 127.0.0.1 (``num_cpus``
  = the machine's, no dashboard, no usage stats), shut down with it;
- ``--ray-address ray://HEAD:10001`` (or ``RAY_ADDRESS``): an existing cluster, e.g. a KubeRay
  ``RayCluster`` (chart profile ``ci/kuberay-values.yaml``). The cluster's Ray version must be
  this package's (the ``ray`` extra pins it).

Ray Serve's own HTTP proxy (``:8000`` by default) is not started: KServe's server is the only
listener, requests reach the replicas through the deployment handle.

Ray lives in its own extra, ``shoptalk[ray]`` (``ray[serve]`` 2.52.x, the newest release whose
``packaging`` requirement still agrees with the rest of the stack; ``kserve==0.21.*`` and
Prefect 3's ``fastapi<0.151`` resolve with it).
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable
from typing import Any

from ml.logging import get_logger

log = get_logger(__name__)

RAY_MISSING = (
    "--ray-replicas needs Ray Serve, which is not installed in this environment "
    "(pip install 'shoptalk[ray]'); run without --ray-replicas for a single in-process replica"
)


class RayUnavailable(RuntimeError):
    """Ray Serve is not installed (the ``ray`` extra)."""


def ray_installed() -> bool:
    try:
        import ray  # noqa: F401
        from kserve.ray import RayModel  # noqa: F401
        from ray import serve  # noqa: F401
    except ImportError:
        return False
    return True


def _start_ray(address: str | None) -> None:
    import ray
    from ray import serve

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    address = address or os.environ.get("RAY_ADDRESS") or None
    if not ray.is_initialized():
        if address:
            ray.init(address=address, logging_level="WARNING", log_to_driver=False)
        else:
            ray.init(  # on loopback: the private cluster is nobody else's business
                include_dashboard=False,
                logging_level="WARNING",
                log_to_driver=False,
                _node_ip_address="127.0.0.1",
            )
        atexit.register(ray.shutdown)
    serve.start(proxy_location="Disabled")
    log.info("ray.started", address=address or "local", resources=ray.cluster_resources())


def ray_models(
    name: str,
    build: Callable[[], Any],
    replicas: int,
    replica_cpus: float = 1.0,
    address: str | None = None,
    replica_gpus: float = 0.0,
) -> list[Any]:
    """Deploy ``replicas`` copies of ``build()`` (a loaded ``kserve.Model``) and return the
    ``RayModel`` to register with the ``ModelServer``. Blocks until every replica is loaded."""
    if not ray_installed():
        raise RayUnavailable(RAY_MISSING)
    from kserve.ray import RayModel
    from ray import serve

    _start_ray(address)

    resources = {"num_cpus": replica_cpus, "num_gpus": replica_gpus}

    @serve.deployment(name=name, num_replicas=replicas, ray_actor_options=resources)
    class Replica:
        def __init__(self) -> None:
            self.model = build()
            if not self.model.ready:
                self.model.load()

        async def __call__(self, body: Any, headers: Any = None) -> Any:
            return await self.model(body, headers=headers)

        def load(self) -> bool:
            return bool(self.model.ready)

        def get_input_types(self) -> list[dict[str, Any]]:
            return list(self.model.get_input_types())

        def get_output_types(self) -> list[dict[str, Any]]:
            return list(self.model.get_output_types())

    # serve.run returns once every replica's __init__ (the model load) has finished.
    handle = serve.run(Replica.bind(), name=name, route_prefix=None)  # type: ignore[attr-defined]
    model = RayModel(name, handle)
    model.load()
    log.info("ray.deployed", model=name, replicas=replicas, **resources)
    return [model]
