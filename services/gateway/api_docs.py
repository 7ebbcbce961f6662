"""Swagger UI (``/docs``) and ReDoc (``/redoc``) served from local assets, so they render offline.

FastAPI's default pages load their JavaScript from a CDN, which leaves them blank without a
network. The assets come from the ``fastapi-offline`` wheel (Swagger UI bundle + CSS, ReDoc
standalone) and are mounted at ``/static-offline-docs``; the default doc routes are replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.routing import Route

from ml.logging import get_logger

log = get_logger(__name__)
ASSETS_URL = "/static-offline-docs"


def assets_dir() -> Path | None:
    """Folder holding ``swagger-ui-bundle.js``, ``swagger-ui.css`` and ``redoc.standalone.js``."""
    try:
        import fastapi_offline
    except ImportError:
        return None
    folder = Path(fastapi_offline.__file__).resolve().parent / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def install_offline_docs(app: FastAPI, docs_url: str = "/docs", redoc_url: str = "/redoc") -> bool:
    """Replace the CDN-backed doc pages with local ones; False (defaults kept) without the assets."""
    folder = assets_dir()
    if folder is None:
        log.warning("docs.offline_assets_missing", hint="pip install fastapi-offline")
        return False
    oauth_url = app.swagger_ui_oauth2_redirect_url or f"{docs_url}/oauth2-redirect"
    replaced = {docs_url, redoc_url, oauth_url}
    app.router.routes[:] = [r for r in app.router.routes if not (isinstance(r, Route) and r.path in replaced)]
    app.mount(ASSETS_URL, StaticFiles(directory=folder), name="static-offline-docs")
    openapi_url = app.openapi_url or "/openapi.json"

    _page(
        app,
        docs_url,
        get_swagger_ui_html,
        {"swagger_ui_parameters": app.swagger_ui_parameters, "title": f"{app.title} - Swagger UI"},
        openapi_url=openapi_url,
        oauth2_redirect_url=oauth_url,
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
    )

    @app.get(oauth_url, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    _page(
        app,
        redoc_url,
        get_redoc_html,
        {"with_google_fonts": False, "title": f"{app.title} - ReDoc"},
        openapi_url=openapi_url,
        redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
    )
    return True


def _page(
    app: FastAPI, path: str, render: Callable[..., HTMLResponse], options: dict[str, Any], **urls: str
) -> None:
    """A doc page at ``path``: ``render(**options, **urls)`` with every URL under the request's
    ``root_path`` (behind a path-prefixing proxy the page still finds its assets and schema)."""

    @app.get(path, include_in_schema=False)
    async def page(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return render(**options, **{name: f"{root}{url}" for name, url in urls.items()})
