"""Conversation state: bounded history with a TTL, in memory or in Redis (same interface)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from typing import Any, Protocol

from pydantic import BaseModel, Field

from ml.config import Settings
from ml.retrieval.types import SearchFilters
from services.gateway.dialogue_state import DialogueState

MAX_ANSWER_CHARS = 1500


class Turn(BaseModel):
    message: str
    query: str = Field(description="The search query rebuilt from the dialogue state (empty: no search).")
    intent: str = "search"
    filters: SearchFilters = Field(default_factory=SearchFilters)
    product_ids: list[str] = Field(default_factory=list, description="Products shown, in order.")
    product_titles: list[str] = Field(default_factory=list)
    product_prices: list[float] = Field(default_factory=list)
    answer: str = ""


class Session(BaseModel):
    session_id: str
    turns: list[Turn] = Field(default_factory=list)
    state: DialogueState = Field(default_factory=DialogueState)
    updated_at: float = Field(default_factory=time.time)

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    def add(self, turn: Turn, max_turns: int) -> None:
        turn.answer = turn.answer[:MAX_ANSWER_CHARS]
        self.turns.append(turn)
        del self.turns[:-max_turns]
        self.updated_at = time.time()


class SessionStore(Protocol):
    async def get(self, session_id: str) -> Session | None: ...

    async def save(self, session: Session) -> None: ...

    async def delete(self, session_id: str) -> None: ...

    async def ping(self) -> bool: ...

    async def aclose(self) -> None: ...


class MemorySessionStore:
    """Process-local sessions: LRU-bounded in count, expiring after ``ttl_s`` idle seconds."""

    def __init__(self, ttl_s: float = 3600, max_sessions: int = 10_000) -> None:
        self.ttl_s = ttl_s
        self.max_sessions = max_sessions
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = asyncio.Lock()

    async def get(self, session_id: str) -> Session | None:
        async with self._lock:
            item = self._items.get(session_id)
            if item is None:
                return None
            expires, data = item
            if expires < time.monotonic():
                del self._items[session_id]
                return None
            return Session.model_validate_json(data)

    async def save(self, session: Session) -> None:
        async with self._lock:
            self._items[session.session_id] = (time.monotonic() + self.ttl_s, session.model_dump_json())
            self._items.move_to_end(session.session_id)
            while len(self._items) > self.max_sessions:
                self._items.popitem(last=False)

    async def delete(self, session_id: str) -> None:
        async with self._lock:
            self._items.pop(session_id, None)

    async def ping(self) -> bool:
        return True

    async def aclose(self) -> None:
        return None

    def __len__(self) -> int:
        return len(self._items)


class RedisSessionStore:
    """Sessions as JSON strings under ``shoptalk:session:<id>`` with ``SETEX`` (TTL refreshed on save)."""

    prefix = "shoptalk:session:"

    def __init__(self, client: Any, ttl_s: int = 3600) -> None:
        self.client = client
        self.ttl_s = int(ttl_s)

    @classmethod
    def from_url(cls, url: str, ttl_s: int = 3600) -> RedisSessionStore:
        import redis.asyncio as aioredis

        return cls(aioredis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0), ttl_s)

    async def get(self, session_id: str) -> Session | None:
        data = await self.client.get(self.prefix + session_id)
        return Session.model_validate_json(data) if data else None

    async def save(self, session: Session) -> None:
        await self.client.setex(self.prefix + session.session_id, self.ttl_s, session.model_dump_json())

    async def delete(self, session_id: str) -> None:
        await self.client.delete(self.prefix + session_id)

    async def ping(self) -> bool:
        try:
            return bool(await self.client.ping())
        except Exception:
            return False

    async def aclose(self) -> None:
        await self.client.aclose()


def build_session_store(settings: Settings) -> SessionStore:
    if settings.redis_url:
        return RedisSessionStore.from_url(settings.redis_url, settings.session_ttl_s)
    return MemorySessionStore(ttl_s=settings.session_ttl_s)
