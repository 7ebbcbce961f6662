"""Schemathesis against the gateway's own OpenAPI spec, over real HTTP (uvicorn on loopback).

The gateway runs with its security layer on (an API key required on ``/v1``, rate limits off,
a shedder limit) over the real ``HybridSearcher`` on in-memory index halves. Every generated
request — valid and invalid — must get no 5xx, and every response must conform to the spec:
documented status code, content type, body schema and headers. ``/v1/voice`` is left out
(multipart audio: slow, and covered by its own tests).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ml.config import Settings
from ml.observability.tracing import install_tracing
from services.common.launcher import app_in_thread
from services.gateway.app import create_app
from services.gateway.security import install_security
from tests.fakes.catalog import build_test_searcher

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

API_KEY = "sk-fuzz-0a1b2c3d4e5f"
SETTINGS = Settings(
    data_dir=Path(tempfile.mkdtemp(prefix="shoptalk-schemathesis-")),
    api_keys=API_KEY,
    api_keys_protect_v1=True,
    max_inflight_requests=32,
    tts="off",
)
APP = create_app(SETTINGS, searcher=build_test_searcher(), llm=False)
install_security(APP, SETTINGS)
install_tracing(APP, SETTINGS)

SSE_EVENT_SCHEMA = {
    "type": "object",
    "properties": {"event": {"enum": ["products", "token", "done", "error"]}, "data": {"type": "string"}},
    "required": ["event", "data"],
}


def spec_with_sse_events(spec: dict) -> dict:
    """Schemathesis validates each Server-Sent Event ``{event, data}`` against the
    ``text/event-stream`` schema; the gateway documents that stream as a plain string. Describe the
    events instead (the suggested fix for ``services/gateway/routes/chat.py``; no-op once applied)."""
    for path_item in spec.get("paths", {}).values():
        for operation in path_item.values():
            for response in (operation.get("responses") or {}).values():
                media = (response.get("content") or {}).get("text/event-stream")
                if media is not None and media.get("schema", {}).get("type") == "string":
                    media["schema"] = SSE_EVENT_SCHEMA
    return spec


schema = schemathesis.openapi.from_dict(spec_with_sse_events(APP.openapi())).exclude(path="/v1/voice")
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:

    with app_in_thread(APP, name="schemathesis-gateway", timeout_s=30) as url:
        yield url


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_5xx_and_responses_match_the_spec(case: schemathesis.Case, base_url: str) -> None:
    case.call_and_validate(base_url=base_url, headers={"x-api-key": API_KEY}, checks=CHECKS, timeout=30)
