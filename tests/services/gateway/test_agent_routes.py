"""The handoff HTTP API against the real app (``create_app``): shopper opens, agent answers, shopper polls.

Also: the admin key guards the console and ``/v1/agent/*`` when keys are configured (401 without
or with a wrong key, 200 with it), and everything is open in local mode (no keys).
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ml.config import Settings
from services.gateway.app import create_app
from services.gateway.sessions import Session, Turn
from tests.fakes.catalog import build_test_searcher
from tests.servers.postgres import postgres_server  # noqa: F401  (session fixture)

KEY = "agent-key-123"


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, searcher=build_test_searcher(), llm=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway", timeout=30) as c:
            c.app = app  # type: ignore[attr-defined]
            yield c


@pytest.fixture(autouse=True)
def _no_intent_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests never chat: skip loading (or bootstrapping) the intent model."""
    monkeypatch.setattr(
        "services.gateway.understanding.load_intent_model", lambda *_a, **_k: None, raising=False
    )


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for c in _client(Settings(data_dir=tmp_path / "data")):
        yield c


@pytest.fixture
async def keyed(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for c in _client(Settings(data_dir=tmp_path / "data", api_keys=KEY)):
        yield c


def sid(client: httpx.AsyncClient, name: str) -> str:
    """The server-signed session id standing for a readable test name (ids are signed: issue 14)."""
    ids = client.app.state.orchestrator.sessions.ids  # type: ignore[attr-defined]
    return str(ids.sign(hashlib.sha256(name.encode()).hexdigest()[:24]))


async def _session(client: httpx.AsyncClient, session_id: str = "sess-abc") -> Session:
    """A conversation as the chat route would have saved it (no dependence on the policy's wording)."""
    session = Session(session_id=sid(client, session_id))
    session.add(
        Turn(
            message="a grey sofa under $700",
            query="grey sofa",
            product_ids=["B01", "B02"],
            product_titles=["Rivet Sloane Sofa", "Stone & Beam Bradbury Sofa"],
            product_prices=[649.0, 699.0],
            answer="Here are two grey sofas under $700.",
        ),
        max_turns=10,
    )
    session.add(Turn(message="I want to talk to a real person", query="", answer="I can connect you."), 10)
    await client.app.state.orchestrator.sessions.save(session)  # type: ignore[attr-defined]
    return session


async def test_shopper_opens_agent_replies_shopper_polls(client: httpx.AsyncClient) -> None:
    await _session(client)
    r = await client.post("/v1/handoffs", json={"session_id": sid(client, "sess-abc"), "reason": "asked"})
    assert r.status_code == 201, r.text
    info = r.json()
    assert info["status"] == "open" and info["reason"] == "asked" and info["handoff_id"]
    hid = info["handoff_id"]
    # accepting twice gives the same handoff
    again = await client.post("/v1/handoffs", json={"session_id": sid(client, "sess-abc"), "reason": "asked"})
    assert again.json()["handoff_id"] == hid

    queue = (await client.get("/v1/agent/handoffs", params={"status": "open"})).json()["handoffs"]
    assert [h["handoff_id"] for h in queue] == [hid]
    assert queue[0]["last_message"] == "I can connect you."
    detail = (await client.get(f"/v1/agent/handoffs/{hid}")).json()
    roles = [m["role"] for m in detail["transcript"]]
    assert roles == ["shopper", "assistant", "shopper", "assistant"]
    assert detail["transcript"][1]["products"][0]["title"] == "Rivet Sloane Sofa"
    summary = detail["summary"]
    assert "grey sofa under $700" in summary and "Rivet Sloane Sofa ($649.00)" in summary
    assert "asked to talk to a person" in summary and "I want to talk to a real person" in summary

    polled = (await client.get(f"/v1/sessions/{sid(client, 'sess-abc')}/messages")).json()
    assert polled["messages"] == [] and polled["next_after"] == 0
    assert polled["handoff"] == {"status": "open", "handoff_id": hid, "reason": "asked"}

    r = await client.post(
        f"/v1/agent/handoffs/{hid}/messages", json={"text": "Hi! Sam here.", "agent": "Sam"}
    )
    assert r.status_code == 201, r.text
    reply = r.json()
    assert reply["role"] == "agent" and reply["author"] == "Sam"
    detail = (await client.get(f"/v1/agent/handoffs/{hid}")).json()
    assert detail["status"] == "assigned" and detail["agent"] == "Sam"  # replying takes it

    polled = (
        await client.get(f"/v1/sessions/{sid(client, 'sess-abc')}/messages", params={"after": 0})
    ).json()
    assert [m["role"] for m in polled["messages"]] == ["system", "agent"]
    assert polled["messages"][-1]["text"] == "Hi! Sam here."
    assert polled["handoff"]["status"] == "assigned"
    cursor = polled["next_after"]
    assert cursor == reply["seq"]
    assert (
        await client.get(f"/v1/sessions/{sid(client, 'sess-abc')}/messages", params={"after": cursor})
    ).json()["messages"] == []

    closed = await client.post(f"/v1/agent/handoffs/{hid}/close", json={"agent": "Sam"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    tail = (
        await client.get(f"/v1/sessions/{sid(client, 'sess-abc')}/messages", params={"after": cursor})
    ).json()
    assert [m["role"] for m in tail["messages"]] == ["system"]
    assert tail["handoff"]["status"] == "closed"
    late = await client.post(f"/v1/agent/handoffs/{hid}/messages", json={"text": "one more thing"})
    assert late.status_code == 409
    assert (await client.post(f"/v1/agent/handoffs/{hid}/assign", json={"agent": "Kim"})).status_code == 409
    assert (await client.get("/v1/agent/handoffs")).json()["handoffs"] == []
    assert len((await client.get("/v1/agent/handoffs", params={"status": "closed"})).json()["handoffs"]) == 1


async def test_the_session_state_learns_the_handoff(client: httpx.AsyncClient) -> None:
    from services.gateway import metrics

    before = metrics.HANDOFFS.labels(reason="service")._value.get()
    await _session(client, "sess-state")
    hid = (
        await client.post("/v1/handoffs", json={"session_id": sid(client, "sess-state"), "reason": "service"})
    ).json()["handoff_id"]
    saved = await client.app.state.orchestrator.sessions.get(sid(client, "sess-state"))  # type: ignore[attr-defined]
    assert saved.state.handoff_id == hid
    assert metrics.HANDOFFS.labels(reason="service")._value.get() == before + 1


async def test_assign_and_errors(client: httpx.AsyncClient) -> None:
    await _session(client, "sess-err")
    hid = (await client.post("/v1/handoffs", json={"session_id": sid(client, "sess-err")})).json()[
        "handoff_id"
    ]
    r = await client.post(f"/v1/agent/handoffs/{hid}/assign", json={"agent": "Kim"})
    assert r.status_code == 200 and r.json()["status"] == "assigned" and r.json()["agent"] == "Kim"
    assert (await client.get("/v1/agent/handoffs", params={"status": "assigned"})).json()["handoffs"][0][
        "agent"
    ] == "Kim"
    assert (await client.get("/v1/agent/handoffs/h_nope")).status_code == 404
    assert (await client.post("/v1/agent/handoffs/h_nope/messages", json={"text": "x"})).status_code == 404
    assert (await client.post("/v1/agent/handoffs/h_nope/close")).status_code == 404
    assert (await client.post(f"/v1/agent/handoffs/{hid}/messages", json={"text": "   "})).status_code == 422
    assert (
        await client.post(f"/v1/agent/handoffs/{hid}/messages", json={"text": "x" * 4001})
    ).status_code == 422
    assert (await client.get("/v1/agent/handoffs", params={"status": "bogus"})).status_code == 422
    unknown = await client.post("/v1/handoffs", json={"session_id": "never-seen"})
    assert unknown.status_code == 404
    bad_reason = await client.post(
        "/v1/handoffs", json={"session_id": sid(client, "sess-err"), "reason": "boredom"}
    )
    assert bad_reason.status_code == 422
    assert (await client.get("/v1/sessions/bad%20id/messages")).status_code == 422


async def test_local_mode_console_is_open(client: httpx.AsyncClient) -> None:
    page = await client.get("/agent")
    assert page.status_code == 200 and "Agent console" in page.text
    assert (await client.get("/static/agent.js")).status_code == 200
    assert (await client.get("/v1/agent/handoffs")).status_code == 200


async def test_admin_key_guards_the_console_and_agent_api(keyed: httpx.AsyncClient) -> None:
    await _session(keyed, "sess-key")
    opened = await keyed.post("/v1/handoffs", json={"session_id": sid(keyed, "sess-key")})
    assert opened.status_code == 201  # shopper side follows the /v1 rules (open unless protect_v1)
    hid = opened.json()["handoff_id"]
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/v1/agent/handoffs", None),
        ("GET", f"/v1/agent/handoffs/{hid}", None),
        ("POST", f"/v1/agent/handoffs/{hid}/messages", {"text": "hi"}),
        ("POST", f"/v1/agent/handoffs/{hid}/assign", {"agent": "Sam"}),
        ("POST", f"/v1/agent/handoffs/{hid}/close", None),
    ]
    for method, path, body in calls:
        for headers in ({}, {"X-API-Key": "wrong"}, {"Authorization": "Bearer wrong"}):
            r = await keyed.request(method, path, json=body, headers=headers)
            assert r.status_code == 401, (method, path, headers, r.status_code)
            assert KEY not in r.text
    page = await keyed.get("/agent")
    assert page.status_code == 401 and "API key" in page.text  # the shell asks for the key, holds no data
    assert (await keyed.get("/agent", headers={"X-API-Key": "wrong"})).status_code == 401
    assert (await keyed.get("/agent", headers={"X-API-Key": KEY})).status_code == 200
    good = {"X-API-Key": KEY}
    assert (await keyed.get("/v1/agent/handoffs", headers=good)).json()["handoffs"][0]["handoff_id"] == hid
    reply = await keyed.post(f"/v1/agent/handoffs/{hid}/messages", json={"text": "hi"}, headers=good)
    assert reply.status_code == 201
    bearer = {"Authorization": f"Bearer {KEY}"}
    assert (await keyed.post(f"/v1/agent/handoffs/{hid}/close", headers=bearer)).json()["status"] == "closed"
    polled = (await keyed.get(f"/v1/sessions/{sid(keyed, 'sess-key')}/messages")).json()
    assert [m["text"] for m in polled["messages"] if m["role"] == "agent"] == ["hi"]


async def test_handoffs_survive_a_gateway_restart(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    async for c in _client(settings):
        await _session(c, "sess-restart")
        hid = (await c.post("/v1/handoffs", json={"session_id": sid(c, "sess-restart")})).json()["handoff_id"]
        await c.post(f"/v1/agent/handoffs/{hid}/messages", json={"text": "still there?", "agent": "Sam"})
    async for c in _client(settings):
        detail = (await c.get(f"/v1/agent/handoffs/{hid}")).json()
        assert detail["transcript"][-1]["text"] == "still there?"
        polled = (await c.get(f"/v1/sessions/{sid(c, 'sess-restart')}/messages")).json()
        assert polled["messages"][-1]["text"] == "still there?"


async def test_llm_summary_when_configured_and_fallback(client: httpx.AsyncClient) -> None:
    class FakeLLM:
        model = "fake"

        def __init__(self, fail: bool) -> None:
            self.fail = fail
            self.prompts: list[list[dict[str, str]]] = []

        async def complete(self, messages: list[dict[str, str]], **_: Any) -> tuple[str, None]:
            self.prompts.append(messages)
            if self.fail:
                raise RuntimeError("llm down")
            return "Wants: grey sofa ≤ $700.\nShown: Rivet Sloane Sofa ($649.00).", None

        async def aclose(self) -> None:
            return None

    orchestrator = client.app.state.orchestrator  # type: ignore[attr-defined]
    orchestrator.llm = FakeLLM(fail=False)
    await _session(client, "sess-llm")
    hid = (await client.post("/v1/handoffs", json={"session_id": sid(client, "sess-llm")})).json()[
        "handoff_id"
    ]
    assert (await client.get(f"/v1/agent/handoffs/{hid}")).json()["summary"].startswith("Wants: grey sofa ≤")
    assert "Rivet Sloane Sofa" in orchestrator.llm.prompts[0][1]["content"]

    orchestrator.llm = FakeLLM(fail=True)
    await _session(client, "sess-llm2")
    hid = (await client.post("/v1/handoffs", json={"session_id": sid(client, "sess-llm2")})).json()[
        "handoff_id"
    ]
    summary = (await client.get(f"/v1/agent/handoffs/{hid}")).json()["summary"]
    assert "Handed over: the shopper asked to talk to a person." in summary  # the extractive note


@pytest.mark.integration
async def test_the_gateway_keeps_handoffs_in_postgres_by_url(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """``SHOPTALK_HANDOFF_DB_URL`` set: the same API over a real PostgreSQL server, nothing in SQLite."""
    from services.gateway.handoff_postgres import PostgresHandoffStore

    server = request.getfixturevalue("postgres_server")
    settings = Settings(data_dir=tmp_path / "data", handoff_db_url=server.create_database())
    async for c in _client(settings):
        assert isinstance(c.app.state.handoffs, PostgresHandoffStore)  # type: ignore[attr-defined]
        await _session(c, "sess-pg")
        hid = (
            await c.post("/v1/handoffs", json={"session_id": sid(c, "sess-pg"), "reason": "asked"})
        ).json()["handoff_id"]
        reply = await c.post(
            f"/v1/agent/handoffs/{hid}/messages", json={"text": "hello from pg", "agent": "Sam"}
        )
        assert reply.status_code == 201
        polled = (await c.get(f"/v1/sessions/{sid(c, 'sess-pg')}/messages")).json()
        assert [m["text"] for m in polled["messages"] if m["role"] == "agent"] == ["hello from pg"]
        assert (await c.get(f"/v1/agent/handoffs/{hid}")).json()["summary"].startswith("Wants: a grey sofa")
    assert not (tmp_path / "data" / "handoffs.db").exists()


async def test_foreign_session_ids_read_and_open_nothing(client: httpx.AsyncClient) -> None:
    """A shopper who guesses or forges another session's id sees none of its agent replies and can
    open no handoff on it (ids are server-signed; issue 14, item 3)."""
    session = await _session(client, "sess-victim")
    forged = session.session_id[:-1] + ("0" if session.session_id[-1] != "0" else "1")
    assert (await client.post("/v1/handoffs", json={"session_id": forged})).status_code == 404
    assert (await client.get(f"/v1/sessions/{forged}/messages")).status_code == 404
    assert (await client.post("/v1/handoffs", json={"session_id": session.session_id})).status_code == 201
    assert (await client.get(f"/v1/sessions/{session.session_id}/messages")).status_code == 200
