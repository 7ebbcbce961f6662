"""A real local stack for end-to-end tests: an indexed data dir and the gateway in a subprocess.

``indexed_data_dir`` runs ``shoptalk ingest`` (real tantivy + Milvus Lite + MiniLM) once;
``GatewayProcess`` serves that data dir under uvicorn on a free loopback port, with the security
and tracing layers installed (idempotent, so it behaves the same once ``create_app`` installs
them itself). Configuration is passed as ``SHOPTALK_*`` environment variables, as in production.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ml.paths import SAMPLE_CATALOG
from ml.quiet import QUIET_ENV
from services.common.launcher import ModelServerProcess

REPO = Path(__file__).resolve().parents[2]

GATEWAY_LAUNCHER = """
import sys
import uvicorn
from ml.config import get_settings
from ml.logging import configure_logging
from ml.observability.tracing import install_tracing
from services.gateway.app import create_app
from services.gateway.security import install_security

settings = get_settings()
configure_logging(settings.log_level, settings.log_format)
app = create_app(settings)
install_security(app, settings)
install_tracing(app, settings)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), workers=1, log_level="info", access_log=True)
"""


def base_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPTALK_") and k != "OPENAI_API_KEY"}
    env.update(QUIET_ENV)
    env["PYTHONPATH"] = str(REPO)
    env.update(overrides)
    return env


def indexed_data_dir(root: Path, limit: int = 60, env: dict[str, str] | None = None) -> Path:
    """Ingest the sample catalog (``limit`` products) into ``root/data`` with the real backends
    (``env``: more ``SHOPTALK_*`` settings, e.g. a Milvus server or a KServe embedder)."""
    data = root / "data"
    command = [
        sys.executable, "-c", "from services.cli import main; main()",
        "ingest", "--catalog", str(SAMPLE_CATALOG), "--limit", str(limit),
    ]  # fmt: skip
    done = subprocess.run(
        command,
        env=base_env(SHOPTALK_DATA_DIR=str(data), **(env or {})),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"ingest failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        )
    return data


class GatewayProcess(ModelServerProcess):
    """The gateway as a subprocess, on the shared launcher (start, readiness poll, stop, log)."""

    def __init__(
        self, data_dir: Path, env: dict[str, str] | None = None, log_path: Path | None = None
    ) -> None:
        super().__init__("gateway", log_path=log_path)
        # Exactly base_env (no SHOPTALK_* or OpenAI key from this shell), not merged over os.environ.
        self.env = base_env(SHOPTALK_DATA_DIR=str(data_dir), **(env or {}))
        self._owns_log = False  # callers read the whole log after a stop
        self.cwd = REPO

    @property
    def ready_url(self) -> str:
        return f"{self.url}/healthz"

    @property
    def command(self) -> list[str]:
        return [sys.executable, "-c", GATEWAY_LAUNCHER, str(self.port)]

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""
