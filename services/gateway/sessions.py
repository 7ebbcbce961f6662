"""Conversation state: bounded history with a TTL, in memory or in Redis (same interface).

Session ids are issued by the server (:class:`SessionIds`): a random part and its HMAC under
``SHOPTALK_SESSION_SECRET`` (local mode: generated once in ``data_dir/session-secret``). An id the
server did not sign — guessed, chosen by the client, or from another deployment — never loads a
session: the turn starts a new one with a fresh id. Turns on one session run one at a time
(``store.lock(id)``: an asyncio lock per id in memory, ``SET NX PX`` with a token in Redis) so two
concurrent turns both land in the history.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, Field

from ml.config import Settings
from ml.logging import get_logger
from ml.retrieval.types import SearchFilters
from services.gateway.dialogue_state import DialogueState

log = get_logger(__name__)
MAX_ANSWER_CHARS = 1500
SECRET_FILE = "session-secret"


class SessionIds:
    """Signed session ids: ``<24 hex random>-<32 hex HMAC-SHA256>`` (fits ``SESSION_ID_PATTERN``)."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._secret, nonce.encode(), hashlib.sha256).hexdigest()[:32]

    def new(self) -> str:
        return self.sign(secrets.token_hex(12))

    def sign(self, nonce: str) -> str:
        """The id for a 24-hex-digit nonce (``new()`` draws a random one)."""
        if len(nonce) != 24:
            raise ValueError("nonce must be 24 hex digits")
        return f"{nonce}-{self._sign(nonce)}"

    def valid(self, session_id: str | None) -> bool:
        if not session_id or session_id.count("-") != 1:
            return False
        nonce, signature = session_id.split("-")
        if len(nonce) != 24 or len(signature) != 32:
            return False
        return hmac.compare_digest(signature, self._sign(nonce))


def session_secret(settings: Settings) -> bytes:
    """``SHOPTALK_SESSION_SECRET``, else (local mode) a secret generated once under ``data_dir``."""
    if settings.session_secret is not None and settings.session_secret.get_secret_value():
        return settings.session_secret.get_secret_value().encode()
    path = Path(settings.data_dir) / SECRET_FILE
    try:
        return bytes.fromhex(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its secret
        return bytes.fromhex(path.read_text().strip())
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    log.info("session.secret_generated", path=str(path))
    return bytes.fromhex(value)


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
    ids: SessionIds

    def lock(self, session_id: str, timeout_s: float = 30.0) -> Any: ...

    async def get(self, session_id: str) -> Session | None: ...

    async def save(self, session: Session) -> None: ...

    async def delete(self, session_id: str) -> None: ...

    async def ping(self) -> bool: ...

    async def aclose(self) -> None: ...


class MemorySessionStore:
    """Process-local sessions: LRU-bounded in count, expiring after ``ttl_s`` idle seconds."""

    def __init__(
        self, ttl_s: float = 3600, max_sessions: int = 10_000, ids: SessionIds | None = None
    ) -> None:
        self.ttl_s = ttl_s
        self.max_sessions = max_sessions
        self.ids = ids or SessionIds()
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = asyncio.Lock()
        self._turn_locks: dict[str, _TurnLock] = {}

    @asynccontextmanager
    async def lock(self, session_id: str, timeout_s: float = 30.0) -> AsyncIterator[bool]:
        """One turn at a time per session; yields ``False`` (and goes ahead) after ``timeout_s``."""
        entry = self._turn_locks.setdefault(session_id, _TurnLock())
        entry.users += 1
        try:
            try:
                await asyncio.wait_for(entry.lock.acquire(), timeout_s)
            except TimeoutError:
                log.warning("session.lock_timeout", timeout_s=timeout_s)
                yield False
                return
            try:
                yield True
            finally:
                entry.lock.release()
        finally:
            entry.users -= 1
            if entry.users == 0:
                self._turn_locks.pop(session_id, None)

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

    def __bool__(self) -> bool:  # an empty store is still a store (``sessions or default`` idioms)
        return True


@dataclass
class _TurnLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0




class RedisSessionStore:
    """Sessions as JSON strings under ``shoptalk:session:<id>`` with ``SETEX`` (TTL refreshed on save).

    Turn locks are ``SET shoptalk:session-lock:<id> <token> NX PX <timeout>`` (they expire, so a
    gateway that dies mid-turn frees the session) released by a compare-and-delete script."""

    prefix = "shoptalk:session:"
    lock_prefix = "shoptalk:session-lock:"

    def __init__(self, client: Any, ttl_s: int = 3600, ids: SessionIds | None = None) -> None:
        self.client = client
        self.ttl_s = int(ttl_s)
        self.ids = ids or SessionIds()

    @classmethod
    def from_url(cls, url: str, ttl_s: int = 3600, ids: SessionIds | None = None) -> RedisSessionStore:
        import redis.asyncio as aioredis

        return cls(aioredis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0), ttl_s, ids)

    @asynccontextmanager
    async def lock(self, session_id: str, timeout_s: float = 30.0) -> AsyncIterator[bool]:
        key, token = self.lock_prefix + session_id, secrets.token_hex(16)
        deadline = time.monotonic() + timeout_s
        held = False
        try:
            while True:
                if await self.client.set(key, token, nx=True, px=max(1, int(timeout_s * 1000))):
                    held = True
                    break
                if time.monotonic() >= deadline:
                    log.warning("session.lock_timeout", timeout_s=timeout_s)
                    break
                await asyncio.sleep(0.02)
        except Exception as exc:  # Redis down: the turn goes ahead (the load will report it)
            log.warning("session.lock_failed", error=str(exc)[:200])
        try:
            yield held
        finally:
            if held:
                try:
                    await self._release(key, token)
                except Exception as exc:  # it expires on its own
                    log.warning("session.unlock_failed", error=str(exc)[:200])

    async def _release(self, key: str, token: str) -> None:
        """Compare-and-delete under WATCH/MULTI: only the holder's token frees the lock, so a holder
        whose lock expired cannot free the next turn's."""
        async with self.client.pipeline(transaction=True) as pipe:
            await pipe.watch(key)
            current = await pipe.get(key)
            if current is not None and (current.decode() if isinstance(current, bytes) else current) == token:
                pipe.multi()
                pipe.delete(key)
                await pipe.execute()
            else:
                await pipe.unwatch()

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
    ids = SessionIds(session_secret(settings))
    if settings.redis_url:  # an outage keeps turns in the process until Redis returns
        from services.gateway.session_buffer import BufferedSessionStore

        redis = RedisSessionStore.from_url(settings.redis_url, settings.session_ttl_s, ids)
        return BufferedSessionStore(redis, max_turns=settings.session_max_turns)
    return MemorySessionStore(ttl_s=settings.session_ttl_s, ids=ids)


def session_ids(store: Any) -> SessionIds | None:
    """The store's id signer (``None`` for a custom store without one: ids are then taken as given)."""
    ids = getattr(store, "ids", None)
    return ids if isinstance(ids, SessionIds) else None


def owned_id(store: Any, session_id: str | None) -> str | None:
    """``session_id`` when this server signed it (or the store has no signer), else ``None``."""
    if not session_id:
        return None
    ids = session_ids(store)
    return session_id if ids is None or ids.valid(session_id) else None


@asynccontextmanager
async def turn_lock(store: Any, session_id: str | None, timeout_s: float = 30.0) -> AsyncIterator[None]:
    """Hold the session's turn lock for a whole turn (load → answer → save); no-op for new sessions."""
    owned = owned_id(store, session_id)
    lock = getattr(store, "lock", None)
    if owned is None or lock is None:
        yield
        return
    async with lock(owned, timeout_s):
        yield
