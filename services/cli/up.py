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
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import httpx
import typer

from ml.paths import SAMPLE_CATALOG
from services.cli.common import console, settings_for_cli

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


def _port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _free_port(preferred: int) -> int:
    """``preferred`` when nothing holds it, else a free ephemeral port (a stale server keeps its own)."""
    if _port_free(preferred):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _launch(cmd: list[str], log_path: str) -> subprocess.Popen[bytes]:
    """Start ``cmd`` with its output appended to ``log_path``; the parent's copy of the log handle
    is closed at once (the child keeps its own), so no file handle leaks per service."""
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    with open(log_path, "ab") as log:
        return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)


def _stop(children: list[subprocess.Popen[bytes]], timeout_s: float = 10.0) -> None:
    """Terminate, wait (reap: the port is free afterwards), kill what does not stop."""
    for proc in children:
        if proc.poll() is None:
            proc.terminate()
    for proc in children:
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout_s)


def _start_service(
    name: str, port: int, timeout_s: float, cmd: list[str] | None = None
) -> subprocess.Popen[bytes] | None:
    log_path = os.path.join(os.environ.get("SHOPTALK_DATA_DIR", "data"), "logs", f"{name}.log")
    cli = [sys.executable, "-m", "services.cli"]
    cmd = cmd or [*cli, "serve", name, "--host", "127.0.0.1", "--port", str(port)]
    proc = _launch(cmd, log_path)
    console.print(f"starting {name} on 127.0.0.1:{port} (log: {log_path}) …")
    try:
        ready = _wait_ready(name, port, proc, timeout_s)
    except BaseException:  # Ctrl-C while waiting: do not leave it running
        _stop([proc])
        raise
    if ready:
        console.print(f"  {name} ready")
        return proc
    console.print(
        f"[yellow]  {name} did not become ready; the gateway runs it in-process (see {log_path})[/]"
    )
    _stop([proc])
    return None


def _start_local_llm(mode: str, model: str, timeout_s: float) -> Callable[[], None]:
    """``--llm local``: the llama.cpp server, and the gateway's OpenAI client pointed at it.

    Returns how to stop it. When it cannot start, says why in one line and runs offline."""
    if mode not in ("openai", "local", "off"):
        raise typer.BadParameter(f"--llm must be openai, local or off, not {mode!r}")
    os.environ["SHOPTALK_LLM"] = mode
    if mode != "local":
        return lambda: None
    # services/ is imported only here: the CLI launches the gateway anyway
    from services.gateway.local_llm import LocalLLMUnavailable, client_env, start_local_llm

    log_path = Path(os.environ.get("SHOPTALK_DATA_DIR", "data")) / "logs" / f"llm-{model}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    console.print(f"starting the local answer model {model} (llama.cpp; log: {log_path}) …")
    try:
        server = start_local_llm(model, timeout_s=timeout_s, log_path=log_path)
    except LocalLLMUnavailable as exc:
        console.print(f"[yellow]  local answer model not started: {exc}; answering offline[/]")
        os.environ["SHOPTALK_LLM"] = "off"
        return lambda: None
    os.environ.update(client_env(server))
    console.print(f"  {server.model.alias} ready at {server.base_url}")
    return server.stop


def up(
    catalog: Annotated[str, typer.Option(help="Catalog to load first.")] = str(SAMPLE_CATALOG),
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    services: Annotated[
        bool, typer.Option(help="Start the KServe model servers (else all in-process).")
    ] = True,
    ready_timeout: Annotated[float, typer.Option(help="Seconds to wait for each model server.")] = 180.0,
    llm: Annotated[
        str | None,
        typer.Option(help="Answer model: openai | local (llama.cpp) | off (default: SHOPTALK_LLM)."),
    ] = None,
    llm_model: Annotated[
        str | None, typer.Option(help="Local model: smollm2 | qwen1.5b. Default: SHOPTALK_LOCAL_LLM_MODEL.")
    ] = None,
) -> None:
    """Load the sample catalog, start the model servers and the gateway on embedded defaults."""
    settings = settings_for_cli()
    os.environ.setdefault("SHOPTALK_DATA_DIR", str(settings.data_dir))
    # Ingest in a child process: Milvus Lite serves one file from one process, and the gateway
    # (this process) must be the one holding it afterwards.
    cli = [sys.executable, "-m", "services.cli"]
    ingest = subprocess.run([*cli, "ingest", "--catalog", catalog], check=False)
    if ingest.returncode != 0:
        raise typer.Exit(ingest.returncode)

    children: list[subprocess.Popen[bytes]] = []
    stop_llm: Callable[[], None] = lambda: None  # noqa: E731
    try:
        if services:
            wanted = ["embedder", "asr"] + (["captioner"] if settings.captioner_model_path else [])
            for name in wanted:
                env_key = f"SHOPTALK_{name.upper()}_URL"
                if os.environ.get(env_key):
                    continue  # already pointed at a running service
                service_port = _free_port(SERVICE_PORTS[name])
                proc = _start_service(name, service_port, ready_timeout)
                if proc is not None:
                    children.append(proc)
                    os.environ[env_key] = f"http://127.0.0.1:{service_port}"
        stop_llm = _start_local_llm(llm or settings.llm, llm_model or settings.local_llm_model, ready_timeout)
        from ml.config import get_settings

        get_settings.cache_clear()  # pick up the service URLs set above
        from services.cli.serve_gateway import serve_gateway

        serve_gateway(host=host, port=port, log_level="warning")
    finally:  # every child stopped and reaped, whatever ended the run (its ports are free again)
        stop_llm()
        _stop(children)


def register(app: typer.Typer) -> None:
    app.command("up")(up)
