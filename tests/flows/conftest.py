"""Fixtures for the flow tests: one Prefect test server per session, a small catalog, one model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.flows.catalog_factory import write_catalog


@pytest.fixture(scope="session")
def prefect_api_url() -> Iterator[str]:
    """Prefect's test harness (temporary database + server); its URL is handed to subprocesses."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield str(PREFECT_API_URL.value())


@pytest.fixture(scope="session")
def small_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_catalog(tmp_path_factory.mktemp("catalog"), n=90)


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    from ml.embedding.sentence import SentenceEmbedder

    model = SentenceEmbedder(batch_size=32, threads=1)
    _ = model.dim  # load once for the session
    return model
