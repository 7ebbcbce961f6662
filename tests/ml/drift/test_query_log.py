"""The gateway's query-embedding log: sampled, bounded, text only when configured."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from ml.config import Settings
from ml.drift.query_log import QueryEmbeddingLog


def unit(rng: np.random.Generator, n: int, dim: int = 16) -> np.ndarray:
    x = rng.normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_records_round_trip_without_text_by_default(tmp_path: Path) -> None:
    log = QueryEmbeddingLog(Settings(data_dir=tmp_path), sample_rate=1.0)
    vectors = unit(np.random.default_rng(0), 5)
    for v in vectors:
        assert log.record(v, text="red leather boots", model_version="m1")
    entries = log.read()
    assert len(entries) == 5
    assert all(e.text is None and e.model_version == "m1" for e in entries)
    assert "red leather boots" not in log.path.read_text()
    np.testing.assert_allclose(log.vectors(), vectors, atol=2e-3)  # stored as float16


def test_text_is_kept_only_when_configured(tmp_path: Path) -> None:
    log = QueryEmbeddingLog(Settings(data_dir=tmp_path, drift_log_text=True), sample_rate=1.0)
    log.record(np.ones(4, dtype=np.float32), text="blue mug")
    assert [e.text for e in log.read()] == ["blue mug"]


def test_sample_rate_controls_what_is_logged(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    never = QueryEmbeddingLog(settings, sample_rate=0.0)
    assert not any(never.record(np.ones(4)) for _ in range(50))
    assert never.read() == []
    some = QueryEmbeddingLog(settings, sample_rate=0.25, rng=random.Random(1))
    written = sum(some.record(np.ones(4)) for _ in range(400))
    assert 60 < written < 140
    assert len(some.read()) == written


def test_log_is_capped_to_the_newest_records(tmp_path: Path) -> None:
    log = QueryEmbeddingLog(Settings(data_dir=tmp_path), sample_rate=1.0, max_records=20)
    for i in range(100):
        log.record(np.full(4, float(i), dtype=np.float32))
    lines = log.path.read_text().splitlines()
    assert 20 <= len(lines) <= 25
    assert log.vectors()[-1][0] == 99.0
    assert log.vectors(last=20)[0][0] == 80.0


def test_bad_vectors_and_torn_lines_are_skipped(tmp_path: Path) -> None:
    log = QueryEmbeddingLog(Settings(data_dir=tmp_path), sample_rate=1.0)
    assert not log.record(np.array([np.nan, 1.0]))
    assert not log.record(np.array([]))
    log.record(np.ones(4))
    with open(log.path, "a") as fh:
        fh.write('{"ts": 1, "v": "AAA')  # a crash mid-write
    assert len(log.read()) == 1
