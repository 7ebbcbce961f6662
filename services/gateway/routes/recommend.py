"""Recommendation routes: similar items, complements ("goes with"), "for you", and events.

- ``GET /v1/products/{id}/similar`` — same type, variants collapsed, filters respected.
- ``GET /v1/products/{id}/complements`` — items made for / used with it, mined from the catalog.
- ``GET /v1/recommendations?session_id=…`` — the LightGBM ranker over the session's history
  (shown, asked-about and viewed items); nothing seen (or no ``session_id``: a new visitor) →
  popular items (``source: popular``);
  model missing or failing → similar items with ``degraded`` saying so.
- ``POST /v1/events`` — the client logs a view / ask / add-to-cart; appended to the bounded
  interaction log (``data_dir/interactions/events.jsonl``) that training and forecasting read.

Responses are cached in Redis when ``SHOPTALK_REDIS_URL`` is set, else in memory; every key
starts with the catalog version (indexed product count, latest ingest run, embedder version),
so a re-ingest invalidates them.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ml.config import Settings
from ml.logging import get_logger
from ml.recommend.events import InteractionLog, now_iso
from ml.recommend.for_you import Recommendations, Recommender, UnknownItem
from ml.recommend.similar import Scored
from ml.recommend.synthetic import Event
from ml.retrieval.types import SearchFilters
from services.gateway.deps import get_orchestrator, get_settings
from services.gateway.orchestrator import ChatOrchestrator
from services.gateway.routes.documented import ITEM_ID, ItemId, error_responses, json_get

log = get_logger(__name__)
T = TypeVar("T")
router = APIRouter(prefix="/v1", tags=["recommendations"])
SESSION_ID = r"^[A-Za-z0-9_-]{1,128}$"
CACHE_TTL_S = 300
MAX_VIEWS = 50
SHOWN_PER_TURN = 3


class RecommendedItem(BaseModel):
    item_id: str
    title: str
    brand: str | None = None
    product_type: str
    price: float
    colors: list[str] = Field(default_factory=list)
    image_path: str | None = None
    score: float
    source: str = Field(description="Which generator proposed it: similar, complement, popular, sessions…")


class RecommendationResponse(BaseModel):
    kind: Literal["similar", "complements", "for_you"]
    item_id: str | None = None
    session_id: str | None = None
    source: str = Field(description="similar | complement | ranker | popular")
    items: list[RecommendedItem]
    degraded: list[str] = Field(default_factory=list)
    model_version: str | None = None
    cached: bool = False


class EventIn(BaseModel):
    session_id: str = Field(pattern=SESSION_ID)
    event: Literal["view", "ask", "add_to_cart"]
    item_id: str = Field(pattern=ITEM_ID)


class EventAck(BaseModel):
    logged: bool
    event: str
    item_id: str
    session_id: str


# ---------------------------------------------------------------------- cache
class RecommendationCache:
    """Redis (by URL) or an in-memory LRU with TTL; failures of Redis mean a miss, not an error."""

    def __init__(self, redis_url: str | None = None, ttl_s: int = CACHE_TTL_S, size: int = 2048) -> None:
        self.ttl_s = ttl_s
        self.size = size
        self._memory: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._views: dict[str, list[str]] = {}
        self.redis: Any = None
        if redis_url:
            import redis.asyncio as aioredis

            self.redis = aioredis.from_url(redis_url, socket_timeout=2.0, socket_connect_timeout=2.0)

    async def get(self, key: str) -> str | None:
        if self.redis is not None:
            try:
                value = await self.redis.get("shoptalk:rec:" + key)
                return value.decode() if isinstance(value, bytes) else value
            except Exception:
                log.warning("recommend.cache_unavailable", exc_info=True)
                return None
        hit = self._memory.get(key)
        if hit is None or hit[0] < time.monotonic():
            self._memory.pop(key, None)
            return None
        self._memory.move_to_end(key)
        return hit[1]

    async def put(self, key: str, value: str) -> None:
        if self.redis is not None:
            try:
                await self.redis.setex("shoptalk:rec:" + key, self.ttl_s, value)
            except Exception:
                log.warning("recommend.cache_unavailable", exc_info=True)
            return
        self._memory[key] = (time.monotonic() + self.ttl_s, value)
        while len(self._memory) > self.size:
            self._memory.popitem(last=False)

    async def add_view(self, session_id: str, item_id: str, after_turn: int | None = None) -> None:
        """Remember a view; ``after_turn`` (how many chat turns the session had) orders it in time."""
        entry = item_id if after_turn is None else f"{item_id}@{after_turn}"
        if self.redis is not None:
            try:
                key = "shoptalk:rec-views:" + session_id
                await self.redis.rpush(key, entry)
                await self.redis.ltrim(key, -MAX_VIEWS, -1)
                await self.redis.expire(key, 24 * 3600)
                return
            except Exception:
                log.warning("recommend.cache_unavailable", exc_info=True)
        views = self._views.setdefault(session_id, [])
        views.append(entry)
        del views[:-MAX_VIEWS]
        if len(self._views) > 10 * self.size:
            self._views.pop(next(iter(self._views)))

    async def views(self, session_id: str) -> list[str]:
        return [item_id for _, item_id in await self.timed_views(session_id)]

    async def timed_views(self, session_id: str) -> list[tuple[int | None, str]]:
        """``(turns the session had then, item_id)`` per view, oldest first."""
        found: list[Any] = list(self._views.get(session_id, []))
        if self.redis is not None:
            try:
                found = await self.redis.lrange("shoptalk:rec-views:" + session_id, 0, -1)
            except Exception:
                log.warning("recommend.cache_unavailable", exc_info=True)
        out: list[tuple[int | None, str]] = []
        for raw in found:
            item_id, _, turn = (raw.decode() if isinstance(raw, bytes) else str(raw)).partition("@")
            out.append((int(turn) if turn.isdigit() else None, item_id))
        return out


# ---------------------------------------------------------------------- wiring
def _ingest_hint(settings: Settings) -> str:
    from ml.lineage import LineageStore

    runs = LineageStore.for_settings(settings).list_runs(limit=1, kind="ingest")
    return runs[0].run_id if runs else ""


def build_recommender(settings: Settings, orchestrator: ChatOrchestrator) -> Recommender:
    from ml.recommend.job import session_index_for
    from ml.recommend.ranker import PopularityStats
    from ml.recommend.registry import load_champion

    searcher = orchestrator.searcher
    if searcher.vector is None or searcher.embedder is None:
        raise HTTPException(status_code=503, detail="recommendations need the vector index and the embedder")
    model = None
    try:
        model = load_champion(settings.data_dir)
    except Exception:
        log.warning("recommend.model_load_failed", exc_info=True)
    sessions = None
    if model is not None:
        try:
            sessions = session_index_for(settings, searcher.embedder.dim)
        except Exception:
            log.warning("recommend.sessions_unavailable", exc_info=True)
    popularity = model.stats if model is not None else None
    if popularity is None:
        logged = InteractionLog.in_data_dir(settings.data_dir).read()
        if not logged:
            from ml.recommend.job import SAMPLE_SESSIONS
            from ml.recommend.synthetic import read_events

            logged = read_events(SAMPLE_SESSIONS) if SAMPLE_SESSIONS.is_file() else []
        weights = {"view": 1.0, "ask": 1.0, "add_to_cart": 3.0}
        popularity = PopularityStats.from_interactions(
            [
                (e.item_id, e.product_type or "", weights[e.event])
                for e in logged
                if e.item_id and e.event in weights
            ]
        )
    return Recommender(
        searcher.vector,
        searcher.embedder,
        model=model,
        sessions=sessions,
        popularity=popularity,
        version_hint=lambda: _ingest_hint(settings),
    )


def get_recommender(
    request: Request,
    settings: Settings = Depends(get_settings),
    orchestrator: ChatOrchestrator = Depends(get_orchestrator),
) -> Recommender:
    rec: Recommender | None = getattr(request.app.state, "recommender", None)
    stamp = _champion_stamp(settings)
    if rec is None or (getattr(request.app.state, "recommender_stamp", None) not in (None, stamp)):
        rec = build_recommender(settings, orchestrator)
        request.app.state.recommender = rec
        request.app.state.recommender_stamp = stamp
    return rec


def _champion_stamp(settings: Settings) -> float:
    """When the installed champion changed (0: none); a new promotion reloads the recommender."""
    from ml.recommend.training import champion_dir

    try:
        return (champion_dir(settings.data_dir) / "meta.json").stat().st_mtime
    except OSError:
        return 0.0


def get_cache(request: Request, settings: Settings = Depends(get_settings)) -> RecommendationCache:
    cache: RecommendationCache | None = getattr(request.app.state, "recommendation_cache", None)
    if cache is None:
        cache = RecommendationCache(settings.redis_url)
        request.app.state.recommendation_cache = cache
    return cache


def _items(scored: list[Scored]) -> list[RecommendedItem]:
    return [
        RecommendedItem(
            item_id=s.product.item_id,
            title=s.product.title,
            brand=s.product.brand,
            product_type=s.product.product_type,
            price=s.product.price,
            colors=s.product.colors,
            image_path=s.product.image_path,
            score=round(float(s.score), 4),
            source=s.source,
        )
        for s in scored
    ]


async def _cached(
    cache: RecommendationCache, rec: Recommender, parts: list[Any], compute: Any
) -> RecommendationResponse:
    version = await run_in_threadpool(rec.catalog_version)
    model = rec.model.version if rec.model else "none"
    digest = hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:20]
    key = f"{version}:{model}:{digest}"
    hit = await cache.get(key)
    if hit is not None:
        response = RecommendationResponse.model_validate_json(hit)
        response.cached = True
        return response
    response = await compute()
    await cache.put(key, response.model_dump_json())
    return response


async def _known(call: Callable[..., T], *args: Any) -> T:
    """Run a recommender call off the event loop; an unknown item is a 404 naming the id."""
    try:
        return await run_in_threadpool(call, *args)
    except UnknownItem as exc:
        raise HTTPException(status_code=404, detail=f"unknown product {exc.item_id!r}") from exc


async def _turn_count(orchestrator: ChatOrchestrator, session_id: str) -> int:
    session = await orchestrator.sessions.get(session_id)
    return len(session.turns) if session is not None else 0


async def _history(orchestrator: ChatOrchestrator, cache: RecommendationCache, session_id: str) -> list[str]:
    """Shown (top of each result list), asked-about and viewed items, oldest first: a product
    viewed after the n-th answer comes after that answer's items, so the latest interest is last."""
    session = await orchestrator.sessions.get(session_id)
    turns = session.turns if session is not None else []
    views = await cache.timed_views(session_id)
    ids: list[str] = [item_id for after, item_id in views if after == 0]
    for n, turn in enumerate(turns, start=1):
        ids.extend(turn.product_ids[:SHOWN_PER_TURN])
        if n == len(turns) and session is not None:
            ids.extend(session.state.focus)
        ids.extend(item_id for after, item_id in views if after == n)
    ids.extend(item_id for after, item_id in views if after is None or after > len(turns))
    ordered: dict[str, None] = {}
    for item_id in ids:  # keep each item at its latest position
        ordered.pop(item_id, None)
        ordered[item_id] = None
    return list(ordered)


# ---------------------------------------------------------------------- routes
@json_get(router, "/products/{item_id}/similar", RecommendationResponse,
          "Similar items: nearest neighbours of the same type, variants collapsed", 404, 422)
async def similar_items(
    item_id: ItemId,
    k: Annotated[int, Query(ge=1, le=50)] = 8,
    price_min: Annotated[float | None, Query(ge=0)] = None,
    price_max: Annotated[float | None, Query(ge=0)] = None,
    brand: Annotated[list[str] | None, Query(max_length=50)] = None,
    color: Annotated[list[str] | None, Query(max_length=50)] = None,
    rec: Recommender = Depends(get_recommender),
    cache: RecommendationCache = Depends(get_cache),
) -> RecommendationResponse:
    try:
        filters = SearchFilters(
            price_min=price_min, price_max=price_max, brands=brand or [], colors=color or []
        )
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc

    async def compute() -> RecommendationResponse:
        found = await _known(rec.similar, item_id, k, filters)
        return RecommendationResponse(kind="similar", item_id=item_id, source="similar", items=_items(found))

    return await _cached(cache, rec, ["similar", item_id, k, filters.model_dump()], compute)


@json_get(router, "/products/{item_id}/complements", RecommendationResponse,
          "Goes with: items made for or used with this one, mined from the catalog", 404)
async def complement_items(
    item_id: ItemId,
    k: Annotated[int, Query(ge=1, le=50)] = 8,
    rec: Recommender = Depends(get_recommender),
    cache: RecommendationCache = Depends(get_cache),
) -> RecommendationResponse:
    async def compute() -> RecommendationResponse:
        found = await _known(rec.complements, item_id, k)
        return RecommendationResponse(
            kind="complements", item_id=item_id, source="complement", items=_items(found)
        )

    return await _cached(cache, rec, ["complements", item_id, k], compute)


@json_get(router, "/recommendations", RecommendationResponse,
          "For you: ranked by the LightGBM recommender from what the session saw", 422)
async def for_you(
    session_id: Annotated[
        str | None, Query(pattern=SESSION_ID, description="Omitted: a new visitor (popular items).")
    ] = None,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
    rec: Recommender = Depends(get_recommender),
    cache: RecommendationCache = Depends(get_cache),
    orchestrator: ChatOrchestrator = Depends(get_orchestrator),
) -> RecommendationResponse:
    history = await _history(orchestrator, cache, session_id) if session_id else []

    async def compute() -> RecommendationResponse:
        result: Recommendations = await run_in_threadpool(rec.for_you, history, k)
        return RecommendationResponse(
            kind="for_you",
            session_id=session_id,
            source=result.source,
            items=_items(result.items),
            degraded=result.degraded,
            model_version=result.model_version,
        )

    return await _cached(cache, rec, ["for_you", history, k], compute)


@router.post(
    "/events",
    response_model=EventAck,
    status_code=202,
    responses=error_responses(404),
    summary="Log a shopper event (view, ask, add to cart) for recommendations and forecasting",
)
async def log_event(
    body: EventIn,
    settings: Settings = Depends(get_settings),
    rec: Recommender = Depends(get_recommender),
    cache: RecommendationCache = Depends(get_cache),
    orchestrator: ChatOrchestrator = Depends(get_orchestrator),
) -> EventAck:
    product = await _known(rec.product, body.item_id)
    event = Event(body.session_id, now_iso(), body.event, product.item_id, product.product_type)
    await run_in_threadpool(InteractionLog.in_data_dir(settings.data_dir).append, event)
    await cache.add_view(body.session_id, product.item_id, await _turn_count(orchestrator, body.session_id))
    return EventAck(logged=True, event=body.event, item_id=product.item_id, session_id=body.session_id)
