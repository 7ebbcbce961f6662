"""The chat pipeline, shared by the HTTP routes and the voice route.

session → understand the turn (intent, slots, references) → dialogue policy decides → execute:
search (slots as filters, constraints the indexes can't express checked on the results, no-match
said plainly), answer a question from listing data, reply, or hand over to a person → answer
(LLM for result lists when configured, else the grounded offline answerer) → verify citations →
remember the turn and the dialogue state.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import trace
from starlette.concurrency import run_in_threadpool

from ml.catalog.product import Product
from ml.config import Settings
from ml.logging import get_logger
from ml.observability.tracing import new_trace_id
from ml.retrieval.engine import HybridSearcher
from ml.retrieval.types import Hit, SearchFilters, SearchMode, SearchResult
from ml.understanding.fit import rank_by_fit
from ml.understanding.no_match import NoMatchJudge
from ml.understanding.types import Slots, Understanding
from ml.understanding.understand import TurnUnderstander
from services.gateway import answers, metrics, policy
from services.gateway.answer_check import check_answer
from services.gateway.citations import verify_citations
from services.gateway.dialogue_state import DialogueState
from services.gateway.llm import LLMClient, LLMFailure, StreamState
from services.gateway.offline_answer import chunk_text
from services.gateway.prompt import answer_facts, build_messages
from services.gateway.schemas import ChatRequest, ChatResponse, HandoffInfo, ProductCard
from services.gateway.sessions import Session, SessionStore, Turn, owned_id, session_ids

log = get_logger(__name__)
tracer = trace.get_tracer("shoptalk.gateway")

Event = tuple[str, dict[str, Any]]
CANDIDATES_PER_RESULT = 6  # results fetched per card shown, so post-filters still fill the list


@dataclass
class Prepared:
    request: ChatRequest
    session: Session
    understanding: Understanding
    decision: policy.Decision
    state: DialogueState
    result: SearchResult | None
    hits: list[Hit]
    offline_text: str
    trace_id: str
    started: float
    use_llm: bool = False
    no_match: bool = False
    alternatives: bool = False
    handoff: HandoffInfo | None = None
    degraded: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def products(self) -> list[Product]:
        return [h.product for h in self.hits]

    @property
    def query(self) -> str:
        return self.decision.query or (self.result.query if self.result else "")


class _QueryPrimer:
    """The search queries this turn will run if it is a new need or a refinement, embedded in the
    intent model's batch (one forward pass for both) and cached for the search that follows."""

    def __init__(self, searcher: HybridSearcher, state: DialogueState) -> None:
        self.searcher = searcher
        self.state = state

    def texts(self, slots: Slots, residual: list[str]) -> list[str]:
        queries = [policy.build_query(list(residual), slots)]
        if self.state.shown or self.state.need_terms:
            need = list(dict.fromkeys([*self.state.need_terms, *residual]))
            queries.append(policy.build_query(need, policy.merge_slots(self.state.slots, slots)))
        return queries

    def receive(self, texts: list[str], base_vectors: Any) -> None:
        self.searcher.prime_query_vectors(texts, base_vectors)


class ChatOrchestrator:
    def __init__(
        self,
        searcher: HybridSearcher,
        sessions: SessionStore,
        llm: LLMClient | None = None,
        settings: Settings | None = None,
        offline_chunk_delay_s: float = 0.015,
        understander: TurnUnderstander | None = None,
        handoffs: Any = None,
        no_match: NoMatchJudge | None = None,
    ) -> None:
        self.searcher = searcher
        self.sessions = sessions
        self.llm = llm
        self.settings = settings or Settings()
        self.offline_chunk_delay_s = offline_chunk_delay_s
        self.understander = understander
        self.handoffs = handoffs
        self.no_match = no_match or NoMatchJudge()

    # ------------------------------------------------------------------ building blocks
    async def search(
        self,
        query: str,
        k: int = 10,
        mode: SearchMode = SearchMode.hybrid,
        filters: SearchFilters | None = None,
        timings: dict[str, float] | None = None,
    ) -> SearchResult:
        start = time.perf_counter()
        try:
            return await run_in_threadpool(self.searcher.search, query, k, mode, filters)
        finally:
            elapsed = time.perf_counter() - start
            metrics.STAGE_DURATION.labels(stage="search").observe(elapsed)
            if timings is not None:  # a turn may search twice (relaxed constraints): the sum
                timings["search"] = round(timings.get("search", 0.0) + elapsed * 1000, 3)

    async def get_product(self, item_id: str) -> Product | None:
        return await run_in_threadpool(self.searcher.get_product, item_id)

    async def _load_session(self, session_id: str | None, degraded: list[str]) -> Session:
        """The caller's session — only for an id this server signed; any other id (guessed, chosen by
        the client, forged) starts a NEW session with a fresh signed id, never someone else's."""
        owned = owned_id(self.sessions, session_id)
        if session_id and owned is None:
            log.info("session.foreign_id")  # the id itself is not logged
            metrics.SESSIONS_REISSUED.inc()
        if owned:
            try:
                found = await self.sessions.get(owned)
            except Exception as exc:
                log.warning("session.load_failed", error=str(exc))
                degraded.append("session-store-unavailable")
                found = None
            if found is not None:
                return found
            return Session(session_id=owned)
        ids = session_ids(self.sessions)
        return Session(session_id=ids.new() if ids is not None else Session.new_id())

    def _understand(self, text: str, state: DialogueState) -> Understanding:
        if self.understander is None:
            raise RuntimeError("the gateway was built without a turn understander")
        embedder = getattr(self.understander.intent_model, "embedder", None)
        # the searcher's own model, or the per-process text cache in front of it (CachedBaseEmbedder)
        shared = self.searcher.embedder is not None and self.searcher.embedder in (
            embedder,
            getattr(embedder, "inner", None),
        )
        primer = _QueryPrimer(self.searcher, state) if shared else None
        return self.understander.understand(text, state.context(), primer)

    # ------------------------------------------------------------------ executing decisions
    async def _run_search(
        self, prep_degraded: list[str], decision: policy.Decision, req: ChatRequest, timings: dict[str, float]
    ) -> tuple[SearchResult, list[Hit], bool]:
        """Search with the slots; constraints the indexes can't filter are checked on the results.

        Returns the result, the hits to show and whether they are alternatives (the exact
        constraints matched nothing, so they were relaxed).
        """
        pool = req.k * CANDIDATES_PER_RESULT + len(decision.exclude_ids)
        filters = self._with_brand_spellings(decision.filters)
        result = await self.search(decision.query, pool, req.mode, filters, timings)
        prep_degraded.extend(result.degraded)
        hits = [h for h in result.hits if h.item_id not in decision.exclude_ids]
        fitting = rank_by_fit(hits, decision.slots, self._vocab, decision.need_terms)
        if fitting:
            return result, fitting[: req.k], False
        relaxed = filters.model_copy(update={"price_min": None, "price_max": None, "colors": []})
        if relaxed != filters:
            retry = await self.search(decision.query, pool, req.mode, relaxed, timings)
            prep_degraded.extend(d for d in retry.degraded if d not in prep_degraded)
            loose = [h for h in retry.hits if h.item_id not in decision.exclude_ids]
            return retry, loose[: req.k], bool(loose)
        return result, [], False

    def catalog_type_names(self) -> list[str]:
        vocab = self._vocab
        if vocab is None:
            return []
        ranked = sorted(vocab.types.items(), key=lambda kv: -kv[1].count)
        return [answers.plural(vocab.type_name(t)) for t, _ in ranked]

    def _with_brand_spellings(self, filters: SearchFilters) -> SearchFilters:
        """Brand filters compare the listing's own spellings: expand a canonical brand to all of them."""
        vocab = self._vocab
        if vocab is None or not filters.brands:
            return filters
        spellings = [v.lower() for b in filters.brands for v in vocab.brand_variants(b)] + filters.brands
        return filters.model_copy(update={"brands": list(dict.fromkeys(spellings))[:50]})

    @property
    def _vocab(self) -> Any:
        return self.understander.vocab if self.understander is not None else None

    async def _products(self, item_ids: list[str]) -> list[Product]:
        found = []
        for item_id in item_ids:
            product = await self.get_product(item_id)
            if product is not None:
                found.append(product)
        return found

    async def _open_handoff(
        self, session: Session, state: DialogueState, reason: str, degraded: list[str]
    ) -> HandoffInfo | None:
        """Open a durable handoff with the transcript so far; ``None`` when the store is down."""
        if self.handoffs is None:
            return None
        from services.gateway.handoff_summary import summarize, summarize_with_llm, transcript_of

        transcript = transcript_of(session)  # this turn's message is appended by finish()
        try:
            if self.llm is not None:
                summary = await summarize_with_llm(self.llm, transcript, state, reason)
            else:
                summary = summarize(transcript, state, reason)
            record = await self.handoffs.open(session.session_id, reason, transcript, summary)
        except Exception as exc:  # never a 500: the shopper is told no person could be reached
            log.warning("handoff.open_failed", error=str(exc))
            degraded.append("handoff-store-unavailable")
            return None
        state.handoff_id = record.handoff_id
        state.handoff_offered = None
        metrics.HANDOFFS.labels(reason=reason).inc()
        return HandoffInfo(status="open", handoff_id=record.handoff_id, reason=reason)

    async def prepare(self, req: ChatRequest, trace_id: str | None = None) -> Prepared:
        started = time.perf_counter()
        degraded: list[str] = []
        timings: dict[str, float] = {}
        session = await self._load_session(req.session_id, degraded)
        state = session.state
        t0 = time.perf_counter()
        with tracer.start_as_current_span("chat.understand") as span:
            understanding = await run_in_threadpool(self._understand, req.message, state)
            decision, new_state = policy.decide(understanding, state, req.filters)
            span.set_attribute("shoptalk.intent", decision.intent.value)
            span.set_attribute("shoptalk.action", decision.action)
        timings["understand"] = round((time.perf_counter() - t0) * 1000, 3)
        metrics.INTENTS.labels(intent=decision.intent.value).inc()

        result: SearchResult | None = None
        hits: list[Hit] = []
        no_match = alternatives = use_llm = False
        text = ""
        t0 = time.perf_counter()
        if decision.action == "search":
            result, hits, alternatives = await self._run_search(degraded, decision, req, timings)
            no_match = alternatives or self.no_match.is_no_match(
                understanding, decision.slots, result, hits, self._vocab
            )
            if no_match:
                metrics.NO_MATCH.inc()
            if no_match and not alternatives:
                hits = []
            shown = [(h.item_id, h.product.title, h.product.price, h.product.product_type) for h in hits]
            new_state = policy.after_search(decision, new_state, shown, no_match)
            types = self.catalog_type_names()
            if hits and not no_match:
                text = answers.results_answer(decision.query, [h.product for h in hits], decision.slots)
                use_llm = True
            elif hits:
                text = answers.no_match_answer(
                    decision.query, decision.slots, types, [h.product for h in hits]
                )
            else:
                text = answers.no_match_answer(decision.query, decision.slots, types, None)
        elif decision.action == "ask":
            text, hits = await self._answer_question(decision, req, understanding, degraded, timings)
        elif decision.action == "reply" and decision.reply == "no_such_item":
            count = len(state.shown)
            text = (
                f"I showed {count} item{'s' if count != 1 else ''} — which one do you mean?"
                if count
                else "There's nothing on screen yet — tell me what you're looking for first."
            )
        elif decision.action == "reply":
            text = answers.reply_answer(
                decision.reply or "chit_chat", understanding.text, self.catalog_type_names()
            )
        timings["execute"] = round((time.perf_counter() - t0) * 1000, 3)

        handoff: HandoffInfo | None = None
        if new_state.handoff_id:  # a person is already on it: the turn goes to them too
            handoff = HandoffInfo(status="open", handoff_id=new_state.handoff_id, reason="asked")
            if decision.handoff == "open":
                text = answers.handoff_answer("already_open")
        elif decision.handoff == "open":
            reason = decision.handoff_reason or "asked"
            handoff = await self._open_handoff(session, new_state, reason, degraded)
            opened = answers.handoff_answer("opened" if handoff else "unavailable", reason)
            text = opened if decision.action == "handoff" else f"{text}\n\n{opened}"
        elif decision.handoff == "offer":
            handoff = HandoffInfo(status="offered", reason=decision.handoff_reason or "asked")
            if decision.reply != "service":  # the service answer already offers a person
                offer = answers.handoff_answer("offered", handoff.reason)
                small_talk = decision.reply == "chit_chat" and handoff.reason == "frustration"
                text = f"{text}\n\n{offer}" if text and not small_talk else offer
        session.state = new_state
        return Prepared(
            request=req,
            session=session,
            understanding=understanding,
            decision=decision,
            state=new_state,
            result=result,
            hits=hits,
            offline_text=text,
            trace_id=trace_id or new_trace_id(),
            started=started,
            use_llm=use_llm and self.llm is not None,
            no_match=no_match,
            alternatives=alternatives,
            handoff=handoff,
            degraded=degraded,
            timings_ms=timings,
        )

    async def _answer_question(
        self,
        decision: policy.Decision,
        req: ChatRequest,
        u: Understanding,
        degraded: list[str],
        timings: dict[str, float],
    ) -> tuple[str, list[Hit]]:
        if decision.scope == "catalog":
            result = await self.search(
                decision.query, 50, req.mode, self._with_brand_spellings(decision.filters), timings
            )
            degraded.extend(result.degraded)
            pool = [h.product for h in rank_by_fit(result.hits, decision.slots, self._vocab)]
            kind = decision.superlative or "cheapest"
            text = answers.superlative_answer(kind, pool, "in the catalog")
            shown = answers.superlative_winners(kind, pool)[:1]
        else:
            products = await self._products(decision.focus_ids)
            if not products:
                return answers.superlative_answer("cheapest", [], "of these"), []
            if decision.ask_kind == "compare" and len(products) >= 2:
                text = answers.comparison_answer(products)
            elif decision.ask_kind == "superlative":
                kind = decision.superlative or "cheapest"
                text = answers.superlative_answer(kind, products, "of these")
                products = answers.superlative_winners(kind, products) or products
            else:
                text = answers.detail_answer(
                    u.text,
                    decision.attribute or "general",
                    products,
                    device_models=decision.slots.device_models,
                )
            shown = products
        hits = [Hit(item_id=p.item_id, rank=i, score=1.0, product=p) for i, p in enumerate(shown, start=1)]
        return text, hits

    def cards(self, prep: Prepared, cited: list[str] | None = None) -> list[ProductCard]:
        cited_set = set(cited or [])
        out = []
        asked = prep.decision.action == "ask"
        for position, hit in enumerate(prep.hits, start=1):
            card = ProductCard.from_hit(hit, "you asked about it" if asked else "")
            card.rank = position
            card.cited = hit.item_id in cited_set
            out.append(card)
        return out

    def _messages(self, prep: Prepared) -> list[dict[str, str]]:
        history = [(t.message, t.answer) for t in prep.session.turns[-3:]]
        slots = prep.decision.slots
        facts = answer_facts(
            prep.products,
            intent=prep.decision.intent.value,
            slots=slots,
            met=answers._honoured(slots, prep.products, strict=True),  # what every item meets
        )
        return build_messages(prep.request.message, prep.products, history, facts)

    def _checked(self, prep: Prepared, text: str) -> list[str]:
        """Problems of an LLM answer against the data it was given (invented ids are just dropped)."""
        price = prep.decision.slots.price
        budget = [v for v in (price.min, price.max) if v is not None] if price else []
        problems = [
            p
            for p in check_answer(text, prep.products, allowed_prices=budget)
            if not p.startswith("invented-citation")
        ]
        if problems:
            log.warning("answer.llm_unsupported", problems=problems, trace_id=prep.trace_id)
        return problems

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
        filters = prep.decision.filters
        turn = Turn(
            message=prep.request.message,
            query=prep.query,
            filters=filters,
            intent=prep.decision.intent.value,
            product_ids=allowed,
            product_titles=[h.product.title for h in prep.hits],
            product_prices=[h.product.price for h in prep.hits],
            answer=answer,
        )
        prep.session.add(turn, self.settings.session_max_turns)
        if prep.handoff is not None and prep.handoff.handoff_id and self.handoffs is not None:
            from services.gateway.handoff import HandoffClosed, HandoffNotFound

            try:
                await self.handoffs.add_message(prep.handoff.handoff_id, "shopper", prep.request.message)
                await self.handoffs.add_message(prep.handoff.handoff_id, "assistant", answer)
            except (HandoffClosed, HandoffNotFound):  # the agent closed it: back to the assistant alone
                prep.session.state.handoff_id = None
                prep.handoff = HandoffInfo(
                    status="closed", handoff_id=prep.handoff.handoff_id, reason="asked"
                )
            except Exception as exc:  # the session keeps the turn either way
                log.warning("handoff.append_failed", error=str(exc))
                degraded.append("handoff-store-unavailable")
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
            intent=prep.decision.intent.value,
            action=prep.decision.action,
            answered_by=answered_by,
            degraded=degraded,
            products=len(allowed),
            cited=len(kept),
            no_match=prep.no_match,
        )
        return ChatResponse(
            answer=answer,
            products=self.cards(prep, kept),
            citations=kept,
            search_mode=prep.result.mode if prep.result else prep.request.mode,
            query=prep.query,
            filters=filters,
            degraded=",".join(degraded) or None,
            answered_by="llm" if answered_by == "llm" else "offline",
            intent=prep.decision.intent.value,
            slots=prep.decision.slots.model_dump(mode="json", exclude_defaults=True),
            no_match=prep.no_match,
            alternatives=prep.alternatives,
            handoff=prep.handoff,
            trace_id=prep.trace_id,
            session_id=prep.session.session_id,
            timings_ms=timings,
        )

    def _offline_reason(self, prep: Prepared) -> str | None:
        """``no-llm`` only where an LLM would have written the answer (result lists)."""
        return "no-llm" if prep.decision.action == "search" and prep.hits and not prep.no_match else None

    # ------------------------------------------------------------------ entry points
    async def chat(self, req: ChatRequest, trace_id: str | None = None) -> ChatResponse:
        with tracer.start_as_current_span("chat"):
            prep = await self.prepare(req, trace_id)
            t0 = time.perf_counter()
            text, by, reason = prep.offline_text, "offline", self._offline_reason(prep)
            if prep.use_llm and self.llm is not None:
                try:
                    text, _usage = await self.llm.complete(self._messages(prep))
                    by, reason = "llm", None
                    if self._checked(prep, text):
                        text, by, reason = prep.offline_text, "offline", "llm-unsupported"
                except LLMFailure as exc:
                    text, by, reason = prep.offline_text, "offline", exc.reason
            prep.timings_ms["answer"] = round((time.perf_counter() - t0) * 1000, 3)
            metrics.STAGE_DURATION.labels(stage="answer").observe(time.perf_counter() - t0)
            return await self.finish(prep, text, by, reason)

    async def chat_stream(self, req: ChatRequest, trace_id: str | None = None) -> AsyncIterator[Event]:
        """Events: ``products`` (first), ``token`` (many), ``replace`` (only when the finished LLM text
        fails the answer check: ``{text, reason}``, the offline answer replacing the tokens so far),
        ``done`` (the full :class:`ChatResponse`)."""
        prep = await self.prepare(req, trace_id)
        yield (
            "products",
            {
                "trace_id": prep.trace_id,
                "session_id": prep.session.session_id,
                "intent": prep.decision.intent.value,
                "query": prep.query,
                "filters": prep.decision.filters.model_dump(mode="json"),
                "search_mode": (prep.result.mode if prep.result else req.mode).value,
                "no_match": prep.no_match,
                "alternatives": prep.alternatives,
                "products": [c.model_dump(mode="json") for c in self.cards(prep)],
            },
        )
        t0 = time.perf_counter()
        parts: list[str] = []
        by = "offline"
        reason: str | None = self._offline_reason(prep)
        if prep.use_llm and self.llm is not None:
            try:
                async for delta in self.llm.stream(self._messages(prep), StreamState()):
                    parts.append(delta)
                    yield "token", {"text": delta}
                by, reason = "llm", None
                if self._checked(prep, "".join(parts)):
                    # checked on the finished text: the streamed answer is replaced by the offline one
                    by, reason, parts = "offline", "llm-unsupported", [prep.offline_text]
                    yield "replace", {"text": prep.offline_text, "reason": reason}
            except LLMFailure as exc:
                reason = exc.reason
                if parts:  # the shopper saw a partial answer: separate the fallback from it
                    parts.append("\n\n")
                    yield "token", {"text": "\n\n"}
        if by == "offline" and reason != "llm-unsupported":
            for chunk in chunk_text(prep.offline_text):
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
