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
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from ml.paths import SAMPLE_CATALOG
from services.cli.common import console, settings_for_cli
from services.common.launcher import ModelServerProcess, free_port

SERVICE_PORTS = {"embedder": 8091, "asr": 8092, "captioner": 8093}


def _log_path(name: str) -> Path:
    path = Path(os.environ.get("SHOPTALK_DATA_DIR", "data")) / "logs" / f"{name}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _start_service(server: ModelServerProcess, timeout_s: float) -> ModelServerProcess | None:
    """Start a model server and wait until ready; one that does not get ready is stopped, reaped
    and reported (the gateway then runs that model in-process)."""
    console.print(f"starting {server.kind} on {server.host}:{server.port} (log: {server.log_path}) …")
    try:
        server.start(timeout_s, port_attempts=1)
    except (RuntimeError, TimeoutError):
        server.stop()
        console.print(
            f"[yellow]  {server.kind} did not become ready; the gateway runs it in-process "
            f"(see {server.log_path})[/]"
        )
        return None
    console.print(f"  {server.kind} ready")
    return server


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

    log_path = _log_path(f"llm-{model}")
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

    children: list[ModelServerProcess] = []
    stop_llm: Callable[[], None] = lambda: None  # noqa: E731
    try:
        if services:
            wanted = ["embedder", "asr"] + (["captioner"] if settings.captioner_model_path else [])
            for name in wanted:
                env_key = f"SHOPTALK_{name.upper()}_URL"
                if os.environ.get(env_key):
                    continue  # already pointed at a running service
                server = ModelServerProcess(
                    name, port=free_port(preferred=SERVICE_PORTS[name]), log_path=_log_path(name)
                )
                if _start_service(server, ready_timeout) is not None:
                    children.append(server)
                    os.environ[env_key] = server.url
        stop_llm = _start_local_llm(llm or settings.llm, llm_model or settings.local_llm_model, ready_timeout)
        from ml.config import get_settings

        get_settings.cache_clear()  # pick up the service URLs set above
        from services.cli.serve_gateway import serve_gateway

        serve_gateway(host=host, port=port, log_level="warning")
    finally:  # every child stopped and reaped, whatever ended the run (its ports are free again)
        stop_llm()
        for child in children:
            child.stop(timeout_s=10.0)


def register(app: typer.Typer) -> None:
    app.command("up")(up)
