"""Human handoff: a durable record per handed-over conversation, behind a small store Protocol.

A handoff is opened for a shopper session (``open → assigned → closed``) with the transcript so
far and a conversation summary; afterwards every shopper, assistant and agent message is appended.
Agent replies (and "an agent joined"/"closed" notices) are what the shopper's client polls for with
:meth:`HandoffStore.pending_for_shopper`, by a monotonically increasing message ``seq``.

Two real stores, one implementation (:class:`services.gateway.handoff_sql.SQLHandoffStore`: the
queries and rules once, the SQL dialect differences as data) and one behaviour
(``tests/services/gateway/test_handoff_store.py`` runs one suite on both):

* :class:`services.gateway.handoff_sqlite.SQLiteHandoffStore` — a SQLite file
  (``data_dir/handoffs.db``; WAL, ``synchronous=FULL``), the default;
* :class:`services.gateway.handoff_postgres.PostgresHandoffStore` — PostgreSQL by URL
  (``SHOPTALK_HANDOFF_DB_URL`` or ``SHOPTALK_DATABASE_URL``), via ``asyncpg``.

Every write is committed before the call returns, so a reply the API acknowledged survives a
restart. A session has at most one active (open or assigned) handoff: opening again returns it.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, Literal, Protocol, get_args

from pydantic import BaseModel, Field

from ml.config import Settings

HandoffStatus = Literal["open", "assigned", "closed"]
StatusFilter = Literal["open", "assigned", "closed", "active", "all"]
Role = Literal["shopper", "assistant", "agent", "system"]
REASONS = ("asked", "service", "repeated-no-match", "rephrasing", "frustration")
ROLES: tuple[str, ...] = get_args(Role)
SHOPPER_VISIBLE_ROLES = ("agent", "system")  # what the shopper's client polls for


class ShownProduct(BaseModel):
    item_id: str = ""
    title: str
    price: float | None = None


class TranscriptEntry(BaseModel):
    """One line of a conversation handed to :meth:`HandoffStore.open`."""

    role: Role
    text: str
    time: float = Field(default_factory=time.time, description="Unix seconds.")
    products: list[ShownProduct] = Field(default_factory=list, description="Shown with this answer.")


class HandoffMessage(BaseModel):
    """A stored message: part of the transcript, in ``seq`` order (global, increasing)."""

    seq: int
    handoff_id: str
    session_id: str
    role: Role
    text: str
    time: float
    products: list[ShownProduct] = Field(default_factory=list)
    author: str | None = Field(default=None, description="The agent's name, for agent messages.")


class Handoff(BaseModel):
    handoff_id: str
    session_id: str
    status: HandoffStatus
    reason: str
    summary: str = ""
    agent: str | None = None
    created_at: float
    updated_at: float
    message_count: int = 0
    last_message: str | None = Field(default=None, description="Text of the latest message, any role.")
    transcript: list[HandoffMessage] = Field(
        default_factory=list, description="Filled by get(); empty in listings."
    )


class HandoffError(Exception):
    """Base of the store's refusals (the routes map them to 404/409)."""


class HandoffNotFound(HandoffError, KeyError):
    def __init__(self, handoff_id: str) -> None:
        super().__init__(f"no handoff {handoff_id!r}")
        self.handoff_id = handoff_id

    def __str__(self) -> str:
        return str(self.args[0])


class HandoffClosed(HandoffError, ValueError):
    def __init__(self, handoff_id: str, action: str) -> None:
        super().__init__(f"handoff {handoff_id!r} is closed: cannot {action}")
        self.handoff_id = handoff_id


class HandoffStore(Protocol):
    """What the dialogue policy, the agent console and the shopper's client use."""

    async def open(
        self,
        session_id: str,
        reason: str,
        transcript: Sequence[TranscriptEntry | dict[str, Any]] = (),
        summary: str = "",
    ) -> Handoff:
        """Open a handoff (status ``open``) with the transcript so far, or return the session's
        active one unchanged when it already has one."""
        ...

    async def get(self, handoff_id: str) -> Handoff | None:
        """The handoff with its full transcript, or ``None``."""
        ...

    async def list_handoffs(self, status: StatusFilter = "active", limit: int = 100) -> list[Handoff]:
        """Handoffs by status (``active`` = open + assigned), oldest activity first for open ones."""
        ...

    async def get_open_for_session(self, session_id: str) -> Handoff | None:
        """The session's active (open or assigned) handoff, without transcript, or ``None``."""
        ...

    async def add_message(
        self,
        handoff_id: str,
        role: str,
        text: str,
        *,
        author: str | None = None,
        products: Sequence[ShownProduct | dict[str, Any]] = (),
    ) -> HandoffMessage:
        """Append one message (committed on return). Raises :class:`HandoffNotFound`, or
        :class:`HandoffClosed` for a closed handoff (``system`` notes are always accepted)."""
        ...

    async def pending_for_shopper(self, session_id: str, after: int = 0) -> list[HandoffMessage]:
        """Agent replies and notices for the session's shopper with ``seq > after``, in order."""
        ...

    async def assign(self, handoff_id: str, agent: str) -> Handoff:
        """``open``/``assigned`` → ``assigned`` to ``agent``; :class:`HandoffClosed` when closed."""
        ...

    async def close(self, handoff_id: str, agent: str | None = None) -> Handoff:
        """→ ``closed`` (idempotent)."""
        ...

    async def set_summary(self, handoff_id: str, summary: str) -> None: ...

    async def ping(self) -> bool: ...

    async def aclose(self) -> None: ...


# --- shared helpers of the two stores ----------------------------------------------------------
def new_handoff_id() -> str:
    return "h_" + uuid.uuid4().hex[:20]


def clean_text(text: str | None) -> str:
    """Text any backend stores as given: no NUL (PostgreSQL refuses it), no lone surrogates."""
    if not text:
        return ""
    return text.replace("\x00", "").encode("utf-8", errors="replace").decode("utf-8")


def check_reason(reason: str) -> str:
    if reason not in REASONS:
        raise ValueError(f"unknown handoff reason {reason!r}; one of {', '.join(REASONS)}")
    return reason


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise ValueError(f"unknown message role {role!r}; one of {', '.join(ROLES)}")
    return role  # type: ignore[return-value]


def entries(transcript: Iterable[TranscriptEntry | dict[str, Any]]) -> list[TranscriptEntry]:
    out = [e if isinstance(e, TranscriptEntry) else TranscriptEntry.model_validate(e) for e in transcript]
    return [e.model_copy(update={"text": clean_text(e.text)}) for e in out]


def products_json(products: Iterable[ShownProduct | dict[str, Any]]) -> str | None:
    items = [p if isinstance(p, ShownProduct) else ShownProduct.model_validate(p) for p in products]
    if not items:
        return None
    return json.dumps([p.model_dump() for p in items], ensure_ascii=False)


def products_from_json(raw: str | None) -> list[ShownProduct]:
    if not raw:
        return []
    return [ShownProduct.model_validate(p) for p in json.loads(raw)]


def statuses(status: StatusFilter) -> tuple[str, ...]:
    if status == "active":
        return ("open", "assigned")
    if status == "all":
        return ("open", "assigned", "closed")
    if status not in ("open", "assigned", "closed"):
        raise ValueError(f"unknown status filter {status!r}")
    return (status,)


def joined_notice(agent: str) -> str:
    return f"{agent} from our team has joined the conversation."


CLOSED_NOTICE = "The agent has closed this conversation. You can keep shopping here any time."


def build_handoff_store(settings: Settings) -> HandoffStore:
    """PostgreSQL when ``handoff_db_url`` is set, else SQLite under ``data_dir`` (both connect lazily)."""
    url = settings.handoff_db_url.get_secret_value() if settings.handoff_db_url is not None else ""
    if url:
        from services.gateway.handoff_postgres import PostgresHandoffStore

        return PostgresHandoffStore(url)
    from services.gateway.handoff_sqlite import SQLiteHandoffStore

    return SQLiteHandoffStore(settings.data_dir / "handoffs.db")
