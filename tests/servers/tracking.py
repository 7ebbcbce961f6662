"""MLflow tracking server and Prefect server as real processes on loopback, for the cluster profile:
both on PostgreSQL (``tests/servers/postgres.py``), MLflow's artifacts in S3 (``tests/servers/s3.py``),
started and polled like the model servers (``services.common.launcher.ModelServerProcess``)::

    mlflow = MlflowServer(backend_uri, "s3://artifacts", s3.env).start()
    prefect = PrefectServer("postgresql+asyncpg://…").start()
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from services.common.launcher import ModelServerProcess

QUIET = {"DO_NOT_TRACK": "1", "MLFLOW_DISABLE_TELEMETRY": "true", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}


class MlflowServer(ModelServerProcess):
    """``mlflow server`` as the chart runs it: a database backend store and ``--artifacts-destination``
    (the server proxies artifact uploads/downloads; clients see ``mlflow-artifacts:/`` URIs)."""

    def __init__(self, backend_store_uri: str, artifacts_destination: str, env: dict[str, str]) -> None:
        super().__init__("mlflow", env={**QUIET, **env})
        self.backend_store_uri = backend_store_uri
        self.artifacts_destination = artifacts_destination

    @property
    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "mlflow", "server",
            "--host", self.host, "--port", str(self.port), "--workers", "1",
            "--backend-store-uri", self.backend_store_uri,
            "--artifacts-destination", self.artifacts_destination,
        ]  # fmt: skip

    @property
    def ready_url(self) -> str:
        return f"{self.url}/health"


class PrefectServer(ModelServerProcess):
    """``prefect server start`` on the given database (``postgresql+asyncpg://…``), API only."""

    def __init__(self, database_url: str) -> None:
        home = Path(tempfile.mkdtemp(prefix="shoptalk-prefect-home-"))
        super().__init__(
            "prefect",
            env={
                **QUIET,
                "PREFECT_HOME": str(home),
                "PREFECT_API_DATABASE_CONNECTION_URL": database_url,
                "PREFECT_SERVER_UI_ENABLED": "false",
                "PREFECT_API_URL": "",
            },
        )

    @property
    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "prefect", "server", "start",
            "--host", self.host, "--port", str(self.port), "--no-services", "--no-ui", "--analytics-off",
        ]  # fmt: skip

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    @property
    def ready_url(self) -> str:
        return f"{self.api_url}/health"
