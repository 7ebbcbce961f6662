"""The chat pipeline, shared by the HTTP routes and the voice route.

session → rewrite the turn → hybrid search (in a worker thread) → answer (LLM, or the grounded
offline answerer as default and fallback) → verify citations → remember the turn.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import trace
from starlette.concurrency import run_in_threadpool

from ml.catalog.product import Product
from ml.config import Settings
from ml.logging import get_logger
from ml.retrieval.engine import HybridSearcher
from ml.retrieval.types import Hit, SearchFilters, SearchMode, SearchResult
from services.gateway import metrics
from services.gateway.citations import verify_citations
from services.gateway.llm import LLMClient, LLMFailure, StreamState
from services.gateway.offline_answer import chunk_text, compose_answer
from services.gateway.prompt import build_messages
from services.gateway.rewrite import Rewrite, llm_rewrite, rule_rewrite
from services.gateway.schemas import ChatRequest, ChatResponse, ProductCard
from services.gateway.sessions import Session, SessionStore, Turn

log = get_logger(__name__)
tracer = trace.get_tracer("shoptalk.gateway")

Event = tuple[str, dict[str, Any]]


def new_trace_id() -> str:
    """The current OpenTelemetry trace id when a span is recording, else a fresh random id."""
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else uuid.uuid4().hex


@dataclass
class Prepared:
    request: ChatRequest
    session: Session
    rewrite: Rewrite
    result: SearchResult
    hits: list[Hit]
    focus: Product | None
    trace_id: str
    started: float
    degraded: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def products(self) -> list[Product]:
        return [h.product for h in self.hits]


class ChatOrchestrator:
    def __init__(
        self,
        searcher: HybridSearcher,
        sessions: SessionStore,
        llm: LLMClient | None = None,
        settings: Settings | None = None,
        offline_chunk_delay_s: float = 0.015,
    ) -> None:
        self.searcher = searcher
        self.sessions = sessions
        self.llm = llm
        self.settings = settings or Settings()
        self.offline_chunk_delay_s = offline_chunk_delay_s

    # ------------------------------------------------------------------ building blocks
    async def search(
        self,
        query: str,
        k: int = 10,
        mode: SearchMode = SearchMode.hybrid,
        filters: SearchFilters | None = None,
    ) -> SearchResult:
        start = time.perf_counter()
        try:
            return await run_in_threadpool(self.searcher.search, query, k, mode, filters)
        finally:
            metrics.STAGE_DURATION.labels(stage="search").observe(time.perf_counter() - start)

    async def get_product(self, item_id: str) -> Product | None:
        return await run_in_threadpool(self.searcher.get_product, item_id)

    async def _load_session(self, session_id: str | None, degraded: list[str]) -> Session:
        if session_id:
            try:
                found = await self.sessions.get(session_id)
            except Exception as exc:
                log.warning("session.load_failed", error=str(exc))
                degraded.append("session-store-unavailable")
                found = None
            if found is not None:
                return found
        return Session(session_id=session_id or Session.new_id())

    async def _rewrite(self, req: ChatRequest, session: Session) -> Rewrite:
        start = time.perf_counter()
        last = session.last
        try:
            if self.llm is not None and last is not None:
                try:
                    return await llm_rewrite(self.llm, req.message, last, session.turns, req.filters)
                except LLMFailure as exc:
                    log.info("rewrite.llm_fallback", reason=exc.reason)
            return rule_rewrite(req.message, last, req.filters)
        finally:
            metrics.STAGE_DURATION.labels(stage="rewrite").observe(time.perf_counter() - start)

    async def prepare(self, req: ChatRequest, trace_id: str | None = None) -> Prepared:
        started = time.perf_counter()
        degraded: list[str] = []
        timings: dict[str, float] = {}
        session = await self._load_session(req.session_id, degraded)
        t0 = time.perf_counter()
        with tracer.start_as_current_span("chat.rewrite") as span:
            rewrite = await self._rewrite(req, session)
            span.set_attribute("shoptalk.rewrite.kind", rewrite.kind)
            span.set_attribute("shoptalk.rewrite.by", rewrite.rewritten_by)
        timings["rewrite"] = round((time.perf_counter() - t0) * 1000, 3)
        t0 = time.perf_counter()
        k = req.k + len(rewrite.exclude_ids)
        result = await self.search(rewrite.query, k, req.mode, rewrite.filters)
        timings["search"] = round((time.perf_counter() - t0) * 1000, 3)
        hits = [h for h in result.hits if h.item_id not in rewrite.exclude_ids][: req.k]
        focus = None
        if rewrite.kind == "about" and rewrite.focus_item_id:
            focus = await self.get_product(rewrite.focus_item_id)
            if focus is not None:
                others = [h for h in hits if h.item_id != focus.item_id][: req.k - 1]
                hits = [Hit(item_id=focus.item_id, rank=1, score=1.0, product=focus), *others]
        degraded.extend(result.degraded)
        return Prepared(
            request=req,
            session=session,
            rewrite=rewrite,
            result=result,
            hits=hits,
            focus=focus,
            trace_id=trace_id or new_trace_id(),
            started=started,
            degraded=degraded,
            timings_ms=timings,
        )

    def cards(self, prep: Prepared, cited: list[str] | None = None) -> list[ProductCard]:
        cited_set = set(cited or [])
        out = []
        for position, hit in enumerate(prep.hits, start=1):
            extra = (
                "you asked about it" if prep.focus is not None and hit.item_id == prep.focus.item_id else ""
            )
            card = ProductCard.from_hit(hit, extra)
            card.rank = position
            card.cited = hit.item_id in cited_set
            out.append(card)
        return out

    def _messages(self, prep: Prepared) -> list[dict[str, str]]:
        question = prep.request.message
        if prep.focus is not None:
            question += f"\n(The shopper is asking about [{prep.focus.item_id}], position 1 in the data.)"
        history = [(t.message, t.answer) for t in prep.session.turns[-3:]]
        return build_messages(question, prep.products, history)

    def offline_answer(self, prep: Prepared) -> str:
        return compose_answer(
            prep.request.message, prep.rewrite.query, prep.products, prep.rewrite.filters, focus=prep.focus
        )

    async def finish(
        self, prep: Prepared, raw_answer: str, answered_by: str, answer_reason: str | None
    ) -> ChatResponse:
        allowed = [h.item_id for h in prep.hits]
        answer, kept, dropped = verify_citations(raw_answer, allowed)
        if dropped:
            log.warning("answer.invented_citations_dropped", dropped=dropped, trace_id=prep.trace_id)
        degraded = list(dict.fromkeys(([answer_reason] if answer_reason else []) + prep.degraded))
        for reason in degraded:
            metrics.DEGRADED_ANSWERS.labels(reason=reason).inc()
        turn = Turn(
            message=prep.request.message,
            query=prep.rewrite.query,
            filters=prep.rewrite.filters,
            product_ids=allowed,
            product_titles=[h.product.title for h in prep.hits],
            product_prices=[h.product.price for h in prep.hits],
            answer=answer,
        )
        prep.session.add(turn, self.settings.session_max_turns)
        try:
            await self.sessions.save(prep.session)
        except Exception as exc:
            log.warning("session.save_failed", error=str(exc))
            if "session-store-unavailable" not in degraded:
                degraded.append("session-store-unavailable")
        timings = dict(prep.timings_ms)
        timings["total"] = round((time.perf_counter() - prep.started) * 1000, 3)
        log.info(
            "chat.answered",
            trace_id=prep.trace_id,
            session_id=prep.session.session_id,
            kind=prep.rewrite.kind,
            answered_by=answered_by,
            degraded=degraded,
            products=len(allowed),
            cited=len(kept),
        )
        return ChatResponse(
            answer=answer,
            products=self.cards(prep, kept),
            citations=kept,
            search_mode=prep.result.mode,
            query=prep.rewrite.query,
            filters=prep.rewrite.filters,
            degraded=",".join(degraded) or None,
            answered_by="llm" if answered_by == "llm" else "offline",
            trace_id=prep.trace_id,
            session_id=prep.session.session_id,
            timings_ms=timings,
        )

    # ------------------------------------------------------------------ entry points
    async def chat(self, req: ChatRequest, trace_id: str | None = None) -> ChatResponse:
        with tracer.start_as_current_span("chat"):
            prep = await self.prepare(req, trace_id)
            t0 = time.perf_counter()
            if self.llm is None:
                text, by, reason = self.offline_answer(prep), "offline", "no-llm"
            else:
                try:
                    text, _usage = await self.llm.complete(self._messages(prep))
                    by, reason = "llm", None
                except LLMFailure as exc:
                    text, by, reason = self.offline_answer(prep), "offline", exc.reason
            prep.timings_ms["answer"] = round((time.perf_counter() - t0) * 1000, 3)
            metrics.STAGE_DURATION.labels(stage="answer").observe(time.perf_counter() - t0)
            return await self.finish(prep, text, by, reason)

    async def chat_stream(self, req: ChatRequest, trace_id: str | None = None) -> AsyncIterator[Event]:
        """Events: ``products`` (first), ``token`` (many), ``done`` (the full :class:`ChatResponse`)."""
        prep = await self.prepare(req, trace_id)
        yield (
            "products",
            {
                "trace_id": prep.trace_id,
                "session_id": prep.session.session_id,
                "query": prep.rewrite.query,
                "filters": prep.rewrite.filters.model_dump(mode="json"),
                "search_mode": prep.result.mode.value,
                "products": [c.model_dump(mode="json") for c in self.cards(prep)],
            },
        )
        t0 = time.perf_counter()
        parts: list[str] = []
        by = "offline"
        reason: str | None = "no-llm"
        if self.llm is not None:
            try:
                async for delta in self.llm.stream(self._messages(prep), StreamState()):
                    parts.append(delta)
                    yield "token", {"text": delta}
                by, reason = "llm", None
            except LLMFailure as exc:
                reason = exc.reason
                if parts:  # the shopper saw a partial answer: separate the fallback from it
                    parts.append("\n\n")
                    yield "token", {"text": "\n\n"}
        if by == "offline":
            for chunk in chunk_text(self.offline_answer(prep)):
                parts.append(chunk)
                yield "token", {"text": chunk}
                await asyncio.sleep(self.offline_chunk_delay_s)
        prep.timings_ms["answer"] = round((time.perf_counter() - t0) * 1000, 3)
        metrics.STAGE_DURATION.labels(stage="answer").observe(time.perf_counter() - t0)
        response = await self.finish(prep, "".join(parts), by, reason)
        yield "done", response.model_dump(mode="json")

    async def reset(self, session_id: str) -> None:
        await self.sessions.delete(session_id)

    async def aclose(self) -> None:
        if self.llm is not None:
            await self.llm.aclose()
        await self.sessions.aclose()
