"""``shoptalk serve gateway``: the conversational gateway (FastAPI under uvicorn, one worker).

Serves whatever is indexed under ``SHOPTALK_DATA_DIR`` on the embedded defaults (tantivy +
Milvus Lite + in-process embedder) unless service URLs are set. Without an OpenAI key it answers
with the grounded offline answerer.
"""

from __future__ import annotations

from typing import Annotated

import typer

from services.cli.common import console, settings_for_cli
from services.cli.serve import serve_app


@serve_app.command("gateway")
def serve_gateway(
    host: Annotated[str, typer.Option(help="Bind address (0.0.0.0 only inside a container).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Run the chat/search API and the web client at http://HOST:PORT/."""
    import uvicorn

    from services.gateway.app import create_app

    settings = settings_for_cli()
    console.print(f"loading indexes from {settings.data_dir.resolve()} …")
    app = create_app(settings)
    llm = app.state.orchestrator.llm
    console.print(f"answers: {'LLM ' + llm.model if llm else 'offline grounded answerer (no API key)'}")
    console.print(f"ShopTalk gateway on http://{host}:{port}/  (API docs at /docs)")
    from ml.observability.logs import uvicorn_log_config

    uvicorn.run(
        app, host=host, port=port, workers=1, log_level=log_level, access_log=False,
        log_config=uvicorn_log_config(settings.log_format, log_level),
    )


def register(app: typer.Typer) -> None:
    """The command is attached to ``serve_app`` at import; nothing else to add."""
