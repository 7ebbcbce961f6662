"""Property-based API fuzzing from the OpenAPI schema: valid and invalid inputs never get a 5xx."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from ml.config import Settings
from services.gateway.app import create_app
from tests.fakes.catalog import build_test_searcher

pytestmark = pytest.mark.integration

app = create_app(
    Settings(data_dir=Path(tempfile.mkdtemp(prefix="shoptalk-fuzz-"))), searcher=build_test_searcher()
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} → {response.status_code}: {response.text}"
    )
    if response.status_code == 422:  # a clear reason in the gateway's error shape
        error = response.json()["error"]
        assert isinstance(error, str) and error.strip()
