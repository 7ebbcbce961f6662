"""The chart runs the gateway locked down: SHOPTALK_ENV=production, a rate limit, and the API keys and
session secret from the existing Secret (issue 14, item 1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.charts.conftest import pod_specs


def _gateway_env(docs: list[dict[str, Any]]) -> dict[str, Any]:
    for label, spec in pod_specs(docs):
        if label.startswith("Deployment/") and label.endswith("-gateway"):
            container = spec["containers"][0]
            return {e["name"]: e for e in container.get("env", [])}
    raise AssertionError("no gateway Deployment rendered")


def test_gateway_runs_in_production_with_keys_and_session_secret_from_the_secret(
    render: Callable[..., list[dict[str, Any]]],
) -> None:
    env = _gateway_env(render("full-gpu-values.yaml"))
    assert env["SHOPTALK_ENV"]["value"] == "production"
    assert float(env["SHOPTALK_RATE_LIMIT_RPS"]["value"]) > 0
    assert env["SHOPTALK_TRUSTED_PROXY_HOPS"]["value"] == "0"
    for name, key in (("SHOPTALK_API_KEYS", "api-keys"), ("SHOPTALK_SESSION_SECRET", "session-secret")):
        ref = env[name]["valueFrom"]["secretKeyRef"]
        assert ref == {"name": "shoptalk-api-keys", "key": key, "optional": False}
        assert "value" not in env[name]  # never a literal


def test_default_values_are_production(render: Callable[..., list[dict[str, Any]]]) -> None:
    env = _gateway_env(render())
    assert env["SHOPTALK_ENV"]["value"] == "production"
    assert "SHOPTALK_API_KEYS" not in env  # no Secret named: the gateway refuses to start (see NOTES)


def test_dev_loop_is_local(render: Callable[..., list[dict[str, Any]]]) -> None:
    assert _gateway_env(render("dev-values.yaml"))["SHOPTALK_ENV"]["value"] == "local"


def test_production_without_a_rate_limit_fails_to_render(render: Callable[..., list[dict[str, Any]]]) -> None:
    with pytest.raises(AssertionError, match="rateLimitRps > 0"):
        render(sets=["gateway.security.rateLimitRps=0"])
    assert render(sets=["gateway.security.rateLimitRps=0", "gateway.security.env=local"])
