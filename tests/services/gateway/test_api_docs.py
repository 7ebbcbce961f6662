"""The offline doc pages find their assets and schema under the proxy's root path."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.gateway.api_docs import install_offline_docs


def test_doc_pages_use_local_assets_under_the_root_path() -> None:
    app = FastAPI(title="Shop")
    assert install_offline_docs(app)
    client = TestClient(app, root_path="/shop")
    swagger = client.get("/docs").text
    assert "/shop/static-offline-docs/swagger-ui-bundle.js" in swagger
    assert "/shop/openapi.json" in swagger and "/shop/docs/oauth2-redirect" in swagger
    assert "Shop - Swagger UI" in swagger and "cdn.jsdelivr" not in swagger
    redoc = client.get("/redoc").text
    assert "/shop/static-offline-docs/redoc.standalone.js" in redoc and "Shop - ReDoc" in redoc
    assert "fonts.googleapis" not in redoc
    assert client.get("/docs/oauth2-redirect").status_code == 200
    assert TestClient(app).get("/static-offline-docs/swagger-ui.css").status_code == 200
