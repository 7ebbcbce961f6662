"""The human handoff end to end in real headless Chromium: shopper page ↔ agent console.

The gateway (API keys on, so the console must ask for one) runs under uvicorn on a free loopback
port. The shopper searches, then gets frustrated, is offered a person and accepts ("Talk to a person");
the console — after the agent enters the admin key — lists the handoff with its summary and
transcript; the agent takes it and replies; the reply appears in the shopper's chat as "Agent";
the agent closes it and the shopper is told. Screenshots: ``test-artifacts/agent-console.png``,
``test-artifacts/shopper-handoff.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common.launcher import app_in_thread

pytestmark = [pytest.mark.slow, pytest.mark.integration]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]
KEY = "console-key-42"
FAST_POLLS = "window.HANDOFF_POLL_MS = 250; window.AGENT_POLL_MS = 250;"
XSS = '<img src=x onerror="window.__xss=true">'
# Requests sent with the wrong key answer 1.5 s late, so one is still in flight when the agent
# enters the right key: its 401 must not re-open the key panel (the race this forces).
SLOW_WRONG_KEY = """
const realFetch = window.fetch;
window.fetch = (input, init) => {
  const key = init && init.headers && init.headers["x-api-key"];
  const answer = realFetch(input, init);
  const late = (r) => new Promise((ok) => setTimeout(() => ok(r), 1500));
  return key === "not-the-key" ? answer.then(late) : answer;
};
"""

if not CHROMIUM.exists():  # pragma: no cover - CI installs it (apt-get install chromium)
    pytest.skip("Debian chromium is not installed (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:

    from ml.config import Settings
    from services.gateway.app import create_app
    from tests.fakes.catalog import build_test_searcher

    tmp = tmp_path_factory.mktemp("agent")
    data_dir = tmp / "data"
    # The frustration signal (not the intent model) triggers the offer here: skip loading the model.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("services.gateway.understanding.load_intent_model", lambda *_a, **_k: None, raising=False)
        app = create_app(Settings(data_dir=data_dir, api_keys=KEY), searcher=build_test_searcher(), llm=False)
    with app_in_thread(app, name="agent-console-gateway", timeout_s=20) as url:
        yield url, data_dir


def test_shopper_and_agent_talk_through_the_console(gateway: tuple[str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, data_dir = gateway
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            errors: list[str] = []
            shopper = browser.new_context(viewport={"width": 1100, "height": 850}).new_page()
            shopper.on("pageerror", lambda exc: errors.append(f"shopper: {exc}"))
            shopper.add_init_script(FAST_POLLS)
            shopper.goto(url + "/")

            # 1. the shopper searches, then complains (with markup in the text)
            shopper.fill("#message", "brass desk lamp")
            shopper.press("#message", "Enter")
            expect(shopper.locator(".msg.assistant").nth(0)).to_have_attribute(
                "data-done", "true", timeout=30_000
            )
            shopper.fill("#message", f"this is useless, you're not helping!!! {XSS}")
            shopper.press("#message", "Enter")
            service_turn = shopper.locator(".msg.assistant").nth(1)
            expect(service_turn).to_have_attribute("data-done", "true", timeout=30_000)
            offer = service_turn.locator("button.handoff-offer")
            expect(offer).to_have_text("Talk to a person", timeout=5_000)
            offer.click()
            expect(shopper.locator(".msg.notice").first).to_contain_text("in the queue", timeout=10_000)
            expect(offer).to_have_count(0)

            # 2. the console asks for the key, then lists the handoff with summary + transcript
            agent = browser.new_context(viewport={"width": 1280, "height": 850}).new_page()
            agent.on("pageerror", lambda exc: errors.append(f"agent: {exc}"))
            agent.add_init_script(FAST_POLLS + SLOW_WRONG_KEY)
            response = agent.goto(url + "/agent")
            assert response is not None and response.status == 401  # no key on the page request
            expect(agent.locator("#key-panel")).to_be_visible(timeout=10_000)
            agent.fill("#api-key", "not-the-key")
            agent.click("#key-form button[type=submit]")
            expect(agent.locator("#key-error")).to_have_text("That key was refused.", timeout=10_000)
            agent.wait_for_timeout(600)  # the next poll (250 ms) has gone out with the wrong key
            agent.fill("#api-key", KEY)
            agent.click("#key-form button[type=submit]")
            expect(agent.locator("#key-panel")).to_be_hidden(timeout=10_000)
            agent.wait_for_timeout(2_000)  # the wrong key's last poll answers in this window
            expect(agent.locator("#key-panel")).to_be_hidden()
            item = agent.locator(".queue-item")
            expect(item).to_have_count(1, timeout=10_000)
            expect(item).to_contain_text("frustrated")
            summary = agent.locator("#summary")
            expect(summary).to_contain_text("Handed over: the shopper sounds frustrated", timeout=10_000)
            expect(summary).to_contain_text("Wants: brass desk lamp")
            expect(summary).to_contain_text("Shown: Brass Desk Lamp ($")
            expect(agent).to_have_title("(1) ShopTalk · Agent console")
            expect(summary).to_contain_text('Last message: "this is useless')
            transcript = agent.locator("#transcript")
            expect(transcript.locator(".msg.user").nth(1)).to_contain_text(XSS)  # shown as text
            assert transcript.locator("img[src='x']").count() == 0
            expect(transcript.locator(".msg.assistant").first).to_contain_text("Shown:")

            # 3. the agent takes it and replies; the shopper sees it as "Agent"
            agent.fill("#agent-name", "Sam")
            agent.dispatch_event("#agent-name", "change")
            agent.click("#assign")
            expect(agent.locator("#detail-status")).to_have_text("assigned · Sam", timeout=10_000)
            reply = "Hi, Sam here. Sorry about that: <b>which lamp did you have in mind?</b>"
            agent.fill("#reply", reply)
            agent.click("#send-reply")
            expect(transcript.locator(".msg.agent").last).to_contain_text(reply, timeout=10_000)
            expect(agent.locator("#reply")).to_have_value("")

            shown = shopper.locator(".msg.agent")
            expect(shown).to_have_count(1, timeout=10_000)
            expect(shown.locator(".who")).to_have_text("Agent · Sam")
            expect(shown.locator(".text")).to_have_text(reply)  # literal text, no markup
            assert shown.locator("b").count() == 0
            expect(
                shopper.locator(".msg.notice").filter(has_text="Sam from our team has joined")
            ).to_have_count(1)

            ARTIFACTS.mkdir(exist_ok=True)
            agent.screenshot(path=str(ARTIFACTS / "agent-console.png"), full_page=True)
            shopper.screenshot(path=str(ARTIFACTS / "shopper-handoff.png"), full_page=True)

            # 4. closing tells the shopper and empties the queue; the record stays on disk
            agent.click("#close")
            expect(agent.locator(".queue-item")).to_have_count(0, timeout=10_000)
            expect(shopper.locator(".msg.notice").filter(has_text="closed")).to_have_count(1, timeout=10_000)
            shopper.wait_for_timeout(800)  # polling has stopped: nothing is shown twice
            expect(shopper.locator(".msg.agent")).to_have_count(1)
            assert (data_dir / "handoffs.db").exists()
            assert shopper.evaluate("window.__xss") is None and agent.evaluate("window.__xss") is None
            assert errors == []
        finally:
            browser.close()
