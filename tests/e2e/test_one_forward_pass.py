"""A search turn through the gateway as ``create_app`` builds it (the per-process text cache in
front of the intent model included) runs the embedding model once: the message and the turn's
search query go in one batch, and the search reuses the query's vector."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ml.config import Settings
from ml.retrieval.engine import QueryVectorCache
from services.gateway.dialogue_eval import pipeline_orchestrator
from services.gateway.schemas import ChatRequest


@pytest.mark.slow
async def test_a_new_search_turn_is_one_forward_pass(sample_index, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    embedder = sample_index.searcher.embedder
    batches: list[list[str]] = []
    real = embedder.embed_base

    def counting(texts: Any) -> Any:
        batches.append(list(texts))
        return real(texts)

    monkeypatch.setattr(embedder, "embed_base", counting)
    async with pipeline_orchestrator(
        sample_index.searcher, Settings(data_dir=tmp_path), tmp_path / "gw"
    ) as orch:
        batches.clear()  # warm-up (the intent model's first prediction) is not this turn
        sample_index.searcher.cache = QueryVectorCache(sample_index.searcher.cache.size)
        prepared = await orch.prepare(ChatRequest(message="a waterproof jacket for a rainy hike, under $150"))
    assert prepared.decision.action == "search" and prepared.hits
    assert len(batches) == 1, batches
    assert batches[0][0] == "a waterproof jacket for a rainy hike, under $150"
    assert prepared.result is not None and prepared.result.query in batches[0][1:]
