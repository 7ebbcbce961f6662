"""``shoptalk up``: load the sample catalog and run ShopTalk on embedded defaults, in one command.

1. Ingest the catalog into the local indexes (incremental: a second ``up`` re-embeds nothing).
2. Start the KServe model servers it has weights for (``embedder``: all-MiniLM-L6-v2 from its
   package; ``asr``: Whisper base from its packages; ``captioner`` only when a BLIP path is set)
   on loopback ports, and wait until each reports ready.
3. Run the gateway in the foreground, pointed at those services over HTTP; Ctrl-C stops all.
A service that fails to start is reported and the gateway runs that model in-process instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Annotated

import httpx
import typer

from ml.cli.common import console, settings_for_cli
from ml.paths import SAMPLE_CATALOG

SERVICE_PORTS = {"embedder": 8091, "asr": 8092, "captioner": 8093}


def _wait_ready(name: str, port: int, proc: subprocess.Popen[bytes], timeout_s: float) -> bool:
    url = f"http://127.0.0.1:{port}/v2/models/{name}/ready"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


def _start_service(name: str, port: int, timeout_s: float) -> subprocess.Popen[bytes] | None:
    log_path = os.path.join(os.environ.get("SHOPTALK_DATA_DIR", "data"), "logs", f"{name}.log")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    log = open(log_path, "ab")  # noqa: SIM115 - handed to the child process
    proc = subprocess.Popen(
        [sys.executable, "-m", "ml.cli", "serve", name, "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    console.print(f"starting {name} on 127.0.0.1:{port} (log: {log_path}) …")
    if _wait_ready(name, port, proc, timeout_s):
        console.print(f"  {name} ready")
        return proc
    console.print(
        f"[yellow]  {name} did not become ready; the gateway runs it in-process (see {log_path})[/]"
    )
    proc.terminate()
    return None


def up(
    catalog: Annotated[str, typer.Option(help="Catalog to load first.")] = str(SAMPLE_CATALOG),
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    services: Annotated[
        bool, typer.Option(help="Start the KServe model servers (else all in-process).")
    ] = True,
    ready_timeout: Annotated[float, typer.Option(help="Seconds to wait for each model server.")] = 180.0,
) -> None:
    """Load the sample catalog, start the model servers and the gateway on embedded defaults."""
    settings = settings_for_cli()
    os.environ.setdefault("SHOPTALK_DATA_DIR", str(settings.data_dir))
    # Ingest in a child process: Milvus Lite serves one file from one process, and the gateway
    # (this process) must be the one holding it afterwards.
    ingest = subprocess.run([sys.executable, "-m", "ml.cli", "ingest", "--catalog", catalog], check=False)
    if ingest.returncode != 0:
        raise typer.Exit(ingest.returncode)

    children: list[subprocess.Popen[bytes]] = []
    if services:
        wanted = ["embedder", "asr"] + (["captioner"] if settings.captioner_model_path else [])
        for name in wanted:
            env_key = f"SHOPTALK_{name.upper()}_URL"
            if os.environ.get(env_key):
                continue  # already pointed at a running service
            proc = _start_service(name, SERVICE_PORTS[name], ready_timeout)
            if proc is not None:
                children.append(proc)
                os.environ[env_key] = f"http://127.0.0.1:{SERVICE_PORTS[name]}"
    try:
        from ml.config import get_settings

        get_settings.cache_clear()  # pick up the service URLs set above
        from ml.cli.serve_gateway import serve_gateway

        serve_gateway(host=host, port=port, log_level="warning")
    finally:
        for proc in children:
            proc.terminate()
        for proc in children:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def register(app: typer.Typer) -> None:
    app.command("up")(up)
