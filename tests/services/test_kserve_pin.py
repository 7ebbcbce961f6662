"""The KServe we override is the KServe we pin: services/common/server.py uses private 0.21 hooks."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _pins() -> list[str]:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    return [req for reqs in extras.values() for req in reqs if re.match(r"kserve\b", req)]


def test_kserve_is_pinned_to_one_minor() -> None:
    assert _pins() == ["kserve==0.21.*"]


def test_installed_kserve_matches_the_pin_and_has_the_overridden_hooks() -> None:
    pytest.importorskip("kserve")
    assert version("kserve").startswith("0.21.")
    from kserve import ModelServer
    from kserve.protocol.rest.server import RESTServer

    for hook in ("_add_middlewares", "_add_exception_handlers"):
        assert callable(getattr(RESTServer, hook, None)), hook
    import services.common.server as server

    assert issubclass(server.HostModelServer, ModelServer)
