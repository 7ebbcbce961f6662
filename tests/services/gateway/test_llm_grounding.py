"""The model words the policy's decision; an answer that states facts it was not given is replaced.

Over real HTTP against the OpenAI-compatible stub: the request carries the computed facts block,
and an answer with an order claim / unknown price / wrong cheapest falls back to the offline
answer with ``llm-unsupported`` (JSON and SSE, where a ``replace`` event carries the offline text).
"""

from __future__ import annotations

import json

import httpx
import pytest

from services.bench.stub_llm import OpenAIStubServer
from services.gateway.prompt import FACTS_CLOSE, FACTS_OPEN
from tests.services.gateway.test_llm_path import parse_sse

pytestmark = pytest.mark.integration


def _facts(stub: OpenAIStubServer) -> dict:
    user = stub.requests[-1]["messages"][-1]["content"]
    start, end = user.index(FACTS_OPEN) + len(FACTS_OPEN), user.index(FACTS_CLOSE)
    return json.loads(user[start:end])


async def test_request_carries_the_policy_decision(
    llm_client: httpx.AsyncClient, stub: OpenAIStubServer
) -> None:
    r = await llm_client.post("/v1/chat", json={"message": "hiking boots under $200"})
    body = r.json()
    assert body["answered_by"] == "llm", body
    facts = _facts(stub)
    products = body["products"]
    assert facts["shown_item_ids"] == [p["item_id"] for p in products]
    assert facts["intent"] == body["intent"]
    assert facts["constraints_understood"]["price"]["max"] == 200
    priced = [p for p in products if p["price"]]
    cheapest = min(p["price"] for p in priced)
    if len({p["price"] for p in priced}) > 1:
        assert set(facts["cheapest_item_ids"]) == {p["item_id"] for p in priced if p["price"] == cheapest}


@pytest.mark.parametrize(
    "text",
    [
        "Your order has not been delivered yet, but these boots [{id}] are great for hiking trips.",
        "These boots [{id}] are on sale today for just $1.23 and they are great for hiking.",
    ],
)
async def test_unsupported_answer_falls_back(
    llm_client: httpx.AsyncClient, stub: OpenAIStubServer, text: str
) -> None:
    first = (await llm_client.post("/v1/chat", json={"message": "waterproof hiking boots"})).json()
    item = first["products"][0]["item_id"]
    stub.mode, stub.fixed_text = "fixed", text.format(id=item)
    body = (await llm_client.post("/v1/chat", json={"message": "waterproof hiking boots"})).json()
    assert body["answered_by"] == "offline"
    assert "llm-unsupported" in (body["degraded"] or "")
    assert "delivered" not in body["answer"] and "$1.23" not in body["answer"]


async def test_wrong_cheapest_falls_back_and_stream_replaces(
    llm_client: httpx.AsyncClient, stub: OpenAIStubServer
) -> None:
    first = (await llm_client.post("/v1/chat", json={"message": "hiking boots"})).json()
    priced = sorted((p for p in first["products"] if p["price"]), key=lambda p: p["price"])
    assert len(priced) >= 2 and priced[0]["price"] < priced[-1]["price"]
    priciest = priced[-1]["item_id"]
    stub.mode = "fixed"
    stub.fixed_text = f"The cheapest pair here is [{priciest}], a sturdy choice for long walks."
    r = await llm_client.post("/v1/chat", json={"message": "hiking boots", "stream": True})
    events = parse_sse(r.text)
    names = [n for n, _ in events]
    assert names[0] == "products" and names[-1] == "done" and "replace" in names
    replace = next(d for n, d in events if n == "replace")
    done = events[-1][1]
    assert done["answer"] == replace["text"] and "cheapest pair here" not in done["answer"]
    assert done["answered_by"] == "offline" and "llm-unsupported" in done["degraded"]
    assert names.index("replace") > max(i for i, n in enumerate(names) if n == "token")


async def test_a_grounded_answer_is_kept(llm_client: httpx.AsyncClient, stub: OpenAIStubServer) -> None:
    stub.invent_id = "B0FAKE9999"  # invented ids are dropped, not a reason to discard the answer
    body = (await llm_client.post("/v1/chat", json={"message": "waterproof hiking boots"})).json()
    assert body["answered_by"] == "llm" and body["degraded"] is None
    assert "B0FAKE9999" not in body["answer"]
