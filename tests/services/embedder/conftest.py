"""Fixtures: the embedder model in-process, and served by a real ModelServer subprocess."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ml.embedding.sentence import SentenceEmbedder
from services.common.launcher import ModelServerProcess
from services.embedder.model import EmbedderModel


@pytest.fixture(scope="session")
def embedder_model() -> EmbedderModel:
    model = EmbedderModel(SentenceEmbedder(threads=1), max_batch=64)
    model.load()
    return model


@pytest.fixture(scope="module")
def embedder_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModelServerProcess]:
    data_dir: Path = tmp_path_factory.mktemp("embedder-data")
    server = ModelServerProcess("embedder", env={"SHOPTALK_DATA_DIR": str(data_dir)})
    with server:
        yield server
