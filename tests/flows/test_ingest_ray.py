"""The ingest flow on Prefect's RayTaskRunner: embed tasks on a local 2-CPU Ray, writes here."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flows.ingest import IngestComponents, ingest_flow_on_ray
from ml.catalog.reader import read_catalog
from ml.config import Settings
from ml.lineage import COMPLETED, LineageStore
from ml.retrieval.factory import build_keyword_index, build_vector_index
from tests.flows.ingest_child import PausingEmbedder

REPO = Path(__file__).resolve().parents[2]

pytest.importorskip("prefect_ray")
pytestmark = pytest.mark.slow


class PidRecordingEmbedder(PausingEmbedder):
    """The real embedder; each call appends the embedding process's pid to a file."""

    def __init__(self, inner: Any, pid_file: Path) -> None:
        super().__init__(inner, 0.0)
        self.pid_file = pid_file

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        with self.pid_file.open("a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        return super().embed(texts)


def test_ingest_on_local_ray_embeds_on_workers_and_indexes_everything(
    prefect_api_url: str, small_catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    # Ray's workers inherit this environment: they unpickle the test's embedder from tests/.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    from ml.embedding.sentence import SentenceEmbedder

    settings = Settings(data_dir=tmp_path / "data")
    pid_file = tmp_path / "embed-pids.txt"
    embedder = PidRecordingEmbedder(SentenceEmbedder(batch_size=32, threads=1), pid_file)
    parts = IngestComponents(
        embedder, build_keyword_index(settings), build_vector_index(settings, embedder.dim)
    )
    expected = len(read_catalog(small_catalog).products)
    try:
        summary = ingest_flow_on_ray(num_cpus=2)(
            catalog=str(small_catalog), batch_size=32, settings=settings, components=parts, embed_window=2
        )
    finally:
        parts.vector.close()  # type: ignore[attr-defined]

    assert summary["embedded"] == expected
    assert (summary["keyword_count"], summary["vector_count"]) == (expected, expected)
    pids = {int(line) for line in pid_file.read_text().split()}
    assert pids and os.getpid() not in pids  # every batch was embedded on a Ray worker
    assert summary["index_timings"]["batches"] == -(-expected // 32)
    run = LineageStore.for_settings(settings).get_run(summary["lineage_run_id"])
    assert run is not None and run.status == COMPLETED
    assert {s.stage: s.records_out for s in run.stages}["embed+index"] == expected
