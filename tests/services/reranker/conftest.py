"""Fixtures: the reranker served by a real ModelServer subprocess on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common.launcher import ModelServerProcess
from tests.fakes.weights import MODELS_DIR, weights_dir


@pytest.fixture(scope="module")
def reranker_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModelServerProcess]:
    weights_dir("reranker")  # fetched and verified before the server starts
    data_dir: Path = tmp_path_factory.mktemp("reranker-data")
    env = {"SHOPTALK_DATA_DIR": str(data_dir), "SHOPTALK_MODELS_DIR": str(MODELS_DIR)}
    with ModelServerProcess("reranker", env=env) as server:
        yield server
