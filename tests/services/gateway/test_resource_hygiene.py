"""Resource hygiene (issue 14, item 8): the LLM stream is closed on timeout and when the consumer
goes away; voice components are built per app without a thread lock on the event loop; every
client the gateway built is closed on shutdown."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from ml.config import Settings
from services.gateway.llm import LLMClient, LLMFailure, StreamState
from services.gateway.shutdown import close_searcher


class FakeStream:
    def __init__(self, chunks: list[Any], stall_after: int | None = None) -> None:
        self.chunks = chunks
        self.stall_after = stall_after
        self.closed = False
        self.sent = 0

    def __aiter__(self) -> FakeStream:
        return self

    async def __anext__(self) -> Any:
        if self.stall_after is not None and self.sent >= self.stall_after:
            await asyncio.sleep(30)
        if self.sent >= len(self.chunks):
            raise StopAsyncIteration
        self.sent += 1
        return self.chunks[self.sent - 1]

    async def close(self) -> None:
        self.closed = True


def chunk(text: str, finish: str | None = None) -> Any:
    choice = SimpleNamespace(delta=SimpleNamespace(content=text), finish_reason=finish)
    return SimpleNamespace(usage=None, choices=[choice])


def llm_with(stream: FakeStream, timeout_s: float = 5.0) -> LLMClient:
    llm = LLMClient(api_key="sk-test", model="m", base_url="http://127.0.0.1:9", timeout_s=timeout_s)

    async def create(**kwargs: Any) -> FakeStream:
        return stream

    llm.client = SimpleNamespace(  # type: ignore[assignment]
        chat=SimpleNamespace(completions=SimpleNamespace(create=create)), close=lambda: None
    )
    return llm


async def test_stream_closed_after_a_timeout_between_tokens() -> None:
    stream = FakeStream([chunk("Hello"), chunk(" there")], stall_after=1)
    llm = llm_with(stream, timeout_s=0.2)
    got = []
    with pytest.raises(LLMFailure) as caught:
        async for delta in llm.stream([{"role": "user", "content": "hi"}], StreamState()):
            got.append(delta)
    assert got == ["Hello"] and caught.value.reason == "llm-timeout"
    assert stream.closed


async def test_stream_closed_when_the_consumer_goes_away() -> None:
    stream = FakeStream([chunk("a"), chunk("b"), chunk("c", "stop")])
    llm = llm_with(stream)
    deltas = llm.stream([{"role": "user", "content": "hi"}], StreamState())
    assert await deltas.__anext__() == "a"
    await deltas.aclose()  # what a client disconnect does to the response generator chain
    assert stream.closed


async def test_stream_closed_after_a_normal_end() -> None:
    stream = FakeStream([chunk("a"), chunk("b", "stop")])
    parts = [d async for d in llm_with(stream).stream([{"role": "user", "content": "x"}], StreamState())]
    assert parts == ["a", "b"] and stream.closed


async def test_voice_components_build_once_off_the_event_loop(tmp_path: Path) -> None:
    from services.gateway.voice import VoiceComponents

    components = VoiceComponents(Settings(data_dir=tmp_path))
    builds = []

    def slow_factory() -> object:
        builds.append(1)
        time.sleep(0.3)  # as Whisper loading would
        return object()

    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        for _ in range(10):
            await asyncio.sleep(0.02)
            ticks += 1

    results = await asyncio.gather(
        components._once("whisper", slow_factory), components._once("whisper", slow_factory), ticker()
    )
    assert results[0] is results[1] and len(builds) == 1
    assert ticks == 10  # the loop kept running while the model loaded


async def test_voice_asr_client_closed_with_the_app(tmp_path: Path) -> None:
    from services.gateway.voice import VoiceComponents

    components = VoiceComponents(Settings(data_dir=tmp_path, asr_url="http://127.0.0.1:9"))
    http = components.asr_client._client
    await components.aclose()
    assert http.is_closed and components.asr_client is None


class Closable:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


class BadClose:
    def close(self) -> None:
        raise RuntimeError("already gone")


async def test_close_searcher_closes_every_part_even_after_a_failure() -> None:
    vector, embedder = Closable(), Closable()
    searcher = SimpleNamespace(keyword=BadClose(), vector=vector, embedder=embedder, reranker=None)
    closed = await close_searcher(searcher)
    assert closed == ["vector", "embedder"] and vector.closed and embedder.closed


async def test_app_closes_what_it_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.gateway.app import create_app
    from tests.fakes.catalog import build_test_searcher

    monkeypatch.setattr(
        "services.gateway.understanding.load_intent_model", lambda *_a, **_k: None, raising=False
    )
    searcher = build_test_searcher()
    vector_close = Closable()
    searcher.vector.close = vector_close.close  # type: ignore[attr-defined]
    monkeypatch.setattr("ml.retrieval.factory.build_searcher", lambda settings: searcher)
    app = create_app(Settings(data_dir=tmp_path / "data", drift_sample_rate=0), llm=None)
    async with app.router.lifespan_context(app):
        assert app.state.voice is not None
    assert vector_close.closed
    # a searcher passed in belongs to the caller: not closed
    other = build_test_searcher()
    mine = Closable()
    other.vector.close = mine.close  # type: ignore[attr-defined]
    app = create_app(Settings(data_dir=tmp_path / "data2"), searcher=other, llm=None)
    async with app.router.lifespan_context(app):
        pass
    assert not mine.closed
