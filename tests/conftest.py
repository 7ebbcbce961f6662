"""Suite-wide defaults: offline, quiet, single-threaded, nothing shared between tests."""

from __future__ import annotations

import os

from ml.quiet import apply_quiet_defaults

apply_quiet_defaults()
# Tests never read a developer's real data directory or keys.
for key in list(os.environ):
    if key.startswith("SHOPTALK_") or key in {"OPENAI_API_KEY", "ELEVENLABS_API_KEY"}:
        del os.environ[key]
# Verified model weights and the bootstrap intent model are caches, shared by the whole suite
# (``make install`` fetches the weights there): a test's own data dir stays empty.
os.environ["SHOPTALK_MODELS_DIR"] = str(
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "models")
)


import pytest  # noqa: E402

# one real Milvus standalone server for the whole session (tests/servers/milvus.py)
from tests.servers.milvus import milvus_server  # noqa: E402, F401


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The whole committed sample catalog in fresh embedded indexes, built once per test session
    (the golden-set bar and the dialogue-suite bar share it)."""
    from ml.config import Settings
    from ml.embedding.sentence import SentenceEmbedder
    from ml.evaluation.runner import fresh_index
    from ml.paths import SAMPLE_CATALOG

    settings = Settings(data_dir=tmp_path_factory.mktemp("sample-index"))
    with fresh_index(SAMPLE_CATALOG, settings, SentenceEmbedder(threads=1)) as fresh:
        yield fresh
