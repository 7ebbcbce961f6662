"""Runs the ingest flow in its own process (the kill-and-resume test kills this one mid-run).

usage: python -m tests.flows.ingest_child DATA_DIR CATALOG BATCH_SIZE PAUSE_SECONDS
``PAUSE_SECONDS`` slows each embedding call so the parent can kill the run between batches.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np


class PausingEmbedder:
    """The real embedder, sleeping before each batch (same model version, same vectors)."""

    def __init__(self, inner, pause_s: float) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.pause_s = pause_s

    @property
    def dim(self) -> int:
        return int(self.inner.dim)

    @property
    def model_version(self) -> str:
        return str(self.inner.model_version)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        time.sleep(self.pause_s)
        return self.inner.embed(texts)


def main() -> None:
    data_dir, catalog, batch_size, pause = (
        Path(sys.argv[1]),
        sys.argv[2],
        int(sys.argv[3]),
        float(sys.argv[4]),
    )
    from flows.ingest import IngestComponents, ingest_flow
    from ml.config import Settings
    from ml.embedding.sentence import SentenceEmbedder
    from ml.retrieval.factory import build_keyword_index, build_vector_index

    settings = Settings(data_dir=data_dir)
    embedder = PausingEmbedder(SentenceEmbedder(threads=1), pause)
    components = IngestComponents(
        embedder, build_keyword_index(settings), build_vector_index(settings, embedder.dim)
    )
    try:
        summary = ingest_flow(
            catalog=catalog, batch_size=batch_size, settings=settings, components=components
        )
    finally:
        components.vector.close()  # type: ignore[attr-defined]
    print("SUMMARY " + json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
