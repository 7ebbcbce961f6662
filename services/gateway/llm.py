"""Answer generation through the ``openai`` SDK (any OpenAI-compatible endpoint).

Errors are classified into the gateway's degradation reasons: ``llm-timeout`` for timeouts,
``llm-error`` for everything else (HTTP errors, rate limits, broken streams). Callers fall back
to the offline answerer on :class:`LLMFailure`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, cast

import openai
from openai import AsyncOpenAI

from ml.config import Settings
from ml.logging import get_logger
from ml.observability.tracing import traced_llm_call, traced_llm_stream
from services.gateway import metrics

log = get_logger(__name__)


class LLMFailure(RuntimeError):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class StreamState:
    """Filled while a stream runs: usage arrives in the last chunk."""

    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None


def classify(exc: BaseException) -> LLMFailure:
    if isinstance(exc, LLMFailure):
        return exc
    if isinstance(exc, openai.APITimeoutError | TimeoutError | asyncio.TimeoutError):
        return LLMFailure("llm-timeout", str(exc) or "timed out")
    if isinstance(exc, openai.APIStatusError):
        return LLMFailure("llm-error", f"HTTP {exc.status_code}")
    return LLMFailure("llm-error", f"{type(exc).__name__}: {exc}"[:300])


def _record_usage(usage: Any) -> Usage:
    out = Usage()
    if usage is not None:
        out.prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
        out.completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
    metrics.LLM_TOKENS.labels(kind="prompt").inc(out.prompt_tokens)
    metrics.LLM_TOKENS.labels(kind="completion").inc(out.completion_tokens)
    return out


class LLMClient:
    """Thin async wrapper: one completion, or a stream of text deltas, with a hard deadline."""

    def __init__(
        self,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout_s: float = 20.0,
        max_retries: int = 1,
        max_tokens: int = 600,
        stream_completions: bool = False,
    ) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens  # when a call names none: bounds a slow local model's answer time
        # A single-slot server (llama.cpp) keeps generating a non-streamed answer its client gave up
        # on, so the next turn waits behind it. Streamed, a timeout closes the connection and the
        # server stops: ``complete`` then collects a stream under the same overall deadline.
        self.stream_completions = stream_completions
        self.client = AsyncOpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=max_retries
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMClient | None:
        """``None`` when the LLM is off or no API key is configured (the offline answerer serves).

        ``SHOPTALK_LLM=local`` uses this same client: ``shoptalk up --llm local`` starts the llama.cpp
        server and sets the key/base URL/model to it (:mod:`services.gateway.local_llm`).
        """
        if settings.llm == "off":
            return None
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key is not None else ""
        if not key and settings.llm == "local" and settings.openai_base_url:
            key = "no-key"  # a self-hosted server (llama.cpp, the chart's vLLM answer model) checks none
        if not key:
            if settings.llm == "local":
                log.warning("llm.local_not_started", hint="run `shoptalk up --llm local`")
            return None
        return cls(
            api_key=key,
            model=settings.llm_model,
            base_url=settings.openai_base_url,
            timeout_s=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
            max_tokens=settings.llm_max_tokens,
            stream_completions=settings.llm == "local",
        )

    @traced_llm_call
    async def complete(
        self, messages: list[dict[str, str]], *, max_tokens: int | None = None, json_mode: bool = False
    ) -> tuple[str, Usage]:
        if self.stream_completions and not json_mode:
            return await self._collect(messages, max_tokens)
        start = time.perf_counter()
        kwargs: dict[str, Any] = {"response_format": {"type": "json_object"}} if json_mode else {}
        try:
            async with asyncio.timeout(self.timeout_s):
                response = await self.client.chat.completions.create(
                    model=self.model,
                    messages=cast(Any, messages),
                    temperature=0.2,
                    max_tokens=max_tokens or self.max_tokens,
                    **kwargs,
                )
        except Exception as exc:
            failure = classify(exc)
            metrics.LLM_REQUESTS.labels(outcome=failure.reason).inc()
            log.warning("llm.failed", reason=failure.reason, detail=failure.detail)
            raise failure from exc
        finally:
            metrics.STAGE_DURATION.labels(stage="llm").observe(time.perf_counter() - start)
        metrics.LLM_REQUESTS.labels(outcome="ok").inc()
        text = (response.choices[0].message.content or "") if response.choices else ""
        return text, _record_usage(response.usage)

    async def _collect(self, messages: list[dict[str, str]], max_tokens: int | None) -> tuple[str, Usage]:
        """One answer read from a stream, within ``timeout_s`` overall (the stream closes on expiry)."""
        state = StreamState()
        parts: list[str] = []
        try:
            async with asyncio.timeout(self.timeout_s):
                async for delta in self.stream(messages, state, max_tokens=max_tokens):
                    parts.append(delta)
        except LLMFailure:
            raise
        except Exception as exc:  # the overall deadline (TimeoutError) expired between deltas
            failure = classify(exc)
            metrics.LLM_REQUESTS.labels(outcome=failure.reason).inc()
            raise failure from exc
        return "".join(parts), state.usage

    @traced_llm_stream
    async def stream(
        self, messages: list[dict[str, str]], state: StreamState, *, max_tokens: int | None = None
    ) -> AsyncIterator[str]:
        """Yield text deltas. The first token must arrive within the timeout, and each later one too.

        The HTTP stream is closed however this ends — done, timeout, error, or the consumer going
        away (a client disconnect closes this generator) — so no connection is left streaming."""
        start = time.perf_counter()
        stream: Any = None
        try:
            async with asyncio.timeout(self.timeout_s):
                stream = await self.client.chat.completions.create(
                    model=self.model,
                    messages=cast(Any, messages),
                    temperature=0.2,
                    max_tokens=max_tokens or self.max_tokens,
                    stream=True,
                    stream_options={"include_usage": True},
                )
            iterator = stream.__aiter__()
            while True:
                try:
                    async with asyncio.timeout(self.timeout_s):
                        chunk = await iterator.__anext__()
                except StopAsyncIteration:
                    break
                if chunk.usage is not None:
                    state.usage = _record_usage(chunk.usage)
                for choice in chunk.choices:
                    if choice.finish_reason:
                        state.finish_reason = choice.finish_reason
                    if choice.delta and choice.delta.content:
                        yield choice.delta.content
            if state.finish_reason is None:
                raise LLMFailure("llm-error", "stream ended without a finish_reason (truncated)")
        except Exception as exc:
            failure = classify(exc)
            metrics.LLM_REQUESTS.labels(outcome=failure.reason).inc()
            log.warning("llm.stream_failed", reason=failure.reason, detail=failure.detail)
            raise failure from exc
        finally:
            metrics.STAGE_DURATION.labels(stage="llm").observe(time.perf_counter() - start)
            if stream is not None:
                await _close_stream(stream)
        metrics.LLM_REQUESTS.labels(outcome="ok").inc()

    async def aclose(self) -> None:
        await self.client.close()


async def _close_stream(stream: Any) -> None:
    """Close an SDK stream (its HTTP response); never raises (we may be unwinding already)."""
    close = getattr(stream, "close", None) or getattr(stream, "aclose", None)
    if close is None:
        return
    try:
        result = close()
        if asyncio.iscoroutine(result):
            await result
    except Exception as exc:
        log.debug("llm.stream_close_failed", error=str(exc)[:200])
