"""The web client end to end in real headless Chromium (Debian ``chromium``, driven by Playwright).

The gateway runs under uvicorn on a free loopback port. A shopper types a question, sees product
cards appear before the streamed answer, asks follow-ups, uses the filters, sends a voice
question, and starts over. A screenshot is kept in ``test-artifacts/web-client.png``.
"""

from __future__ import annotations

import base64
import io
import socket
import statistics
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, File, Form, Request, UploadFile

pytestmark = [pytest.mark.slow, pytest.mark.integration]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]

if not CHROMIUM.exists():  # pragma: no cover - CI installs it (apt-get install chromium)
    pytest.skip("Debian chromium is not installed (apt-get install -y chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _write_images(root: Path, products: list[Any]) -> None:
    from PIL import Image, ImageDraw

    palette = {
        "black": (40, 40, 44),
        "brown": (120, 80, 44),
        "grey": (128, 128, 132),
        "blue": (40, 82, 170),
        "white": (236, 234, 228),
        "green": (52, 130, 70),
        "gold": (206, 168, 64),
    }
    for p in products:
        if not p.image_path:
            continue
        path = root / p.image_path
        path.parent.mkdir(parents=True, exist_ok=True)
        image = Image.new("RGB", (256, 256), (245, 245, 245))
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle(
            (40, 70, 216, 200), 24, fill=palette.get(p.colors[0] if p.colors else "", (90, 90, 90))
        )
        buffer = io.BytesIO()
        image.save(buffer, "JPEG")
        path.write_bytes(buffer.getvalue())


# The client's side of the voice contract: multipart field ``audio`` → {transcript, chat, audio}.
fake_voice = APIRouter()
VOICE_UPLOADS: list[int] = []


@fake_voice.post("/v1/voice")
async def _voice(
    request: Request,
    audio: UploadFile = File(...),
    session_id: str | None = Form(None),
    speak: bool = Form(False),
) -> dict:
    from services.gateway.schemas import ChatRequest

    VOICE_UPLOADS.append(len(await audio.read()))
    chat = await request.app.state.orchestrator.chat(
        ChatRequest(message="brass desk lamp", session_id=session_id)
    )
    spoken = {"format": "wav", "base64": base64.b64encode(_silent_wav()).decode()} if speak else None
    return {"transcript": "brass desk lamp", "chat": chat.model_dump(mode="json"), "audio": spoken}


def _silent_wav(seconds: float = 0.2, rate: int = 16_000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


PLAY_HOOK_JS = """
window.__played = [];
const originalPlay = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  window.__played.push(this.src.slice(0, 22));
  return originalPlay.call(this);
};
"""


XSS_TITLE = 'Glow Lamp <img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from ml.config import Settings
    from services.gateway.app import create_app
    from tests.fakes.catalog import _p, build_test_searcher, sample_products

    tmp = tmp_path_factory.mktemp("web")
    products = [
        p.model_copy(update={"image_path": p.image_path or f"zz/{p.item_id}.jpg"}) for p in sample_products()
    ]
    xss = _p("B0XSS00001", XSS_TITLE, "<b>Evil</b>", "LAMP", 19.99, ["white"], ["<script>x()</script>"])
    products.append(xss)
    _write_images(tmp / "images", products)
    app = create_app(
        Settings(data_dir=tmp / "data", images_dir=tmp / "images"), searcher=build_test_searcher(products)
    )

    app.router.routes[0:0] = (
        fake_voice.routes
    )  # ahead of any real voice route: this test checks the client only

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", workers=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("gateway did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


TIMELINE_JS = """() => {
  window.__timeline = [];
  const seen = new Set();
  const observer = new MutationObserver(() => {
    const turns = document.querySelectorAll('.msg.assistant');
    const turn = turns[turns.length - 1];
    if (!turn) return;
    const t = performance.now();
    if (turn.querySelector('.product-card') && !seen.has('cards')) {
      seen.add('cards'); window.__timeline.push(['cards', t]);
    }
    const answer = turn.querySelector('.answer');
    if (answer && answer.textContent.length) window.__timeline.push(['text', t, answer.textContent.length]);
    if (turn.dataset.done && !seen.has('done')) { seen.add('done'); window.__timeline.push(['done', t]); }
  });
  observer.observe(document.getElementById('log'),
                   {childList: true, subtree: true, characterData: true, attributes: true});
}"""


def _card_prices(turn: Any) -> list[float]:
    return [
        float(t.replace("$", "").replace(",", ""))
        for t in turn.locator(".product-card .price").all_inner_texts()
    ]


def test_shopper_chats_in_a_real_browser(gateway_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.add_init_script(PLAY_HOOK_JS)
            page.goto(gateway_url + "/")
            expect(page).to_have_title("ShopTalk")
            page.evaluate(TIMELINE_JS)

            # 1. a question: cards first, then the answer streams in
            page.fill("#message", "waterproof hiking boots")
            page.press("#message", "Enter")
            turn = page.locator(".msg.assistant").nth(0)
            expect(turn).to_have_attribute("data-done", "true", timeout=20_000)
            assert turn.locator(".product-card").count() >= 3
            titles = turn.locator(".product-card .title").all_inner_texts()
            assert any("Waterproof" in t for t in titles)
            images = turn.locator(".product-card img")
            assert images.count() >= 1
            page.wait_for_function(
                "() => [...document.querySelectorAll('.product-card img')]"
                ".some(i => i.complete && i.naturalWidth > 0)"
            )
            answer = turn.locator(".answer").inner_text()
            assert titles[0] in answer and "$" in answer
            assert turn.locator(".cite").count() >= 1 and turn.locator(".product-card.cited").count() >= 1
            timeline = page.evaluate("window.__timeline")
            kinds = [e[0] for e in timeline]
            assert kinds.index("cards") < kinds.index("text") < kinds.index("done"), timeline
            lengths = sorted({e[2] for e in timeline if e[0] == "text"})
            assert len(lengths) >= 3, f"answer did not stream: {timeline}"  # it grew in several steps
            first_prices = _card_prices(turn)

            # 2. a follow-up in the same session
            page.fill("#message", "cheaper ones?")
            page.press("#message", "Enter")
            follow = page.locator(".msg.assistant").nth(1)
            expect(follow).to_have_attribute("data-done", "true", timeout=20_000)
            prices = _card_prices(follow)
            assert prices and max(prices) < statistics.median(first_prices)
            assert page.locator(".msg.user").nth(1).inner_text() == "cheaper ones?"

            # 3. filters: max price and brand
            page.fill("#max-price", "60")
            page.fill("#message", "hiking boots")
            page.press("#message", "Enter")
            filtered = page.locator(".msg.assistant").nth(2)
            expect(filtered).to_have_attribute("data-done", "true", timeout=20_000)
            assert _card_prices(filtered) and max(_card_prices(filtered)) <= 60
            page.fill("#max-price", "")

            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "web-client.png"), full_page=True)

            # 4. voice: the fake microphone records, the audio is posted, transcript + answer shown
            page.click("#mic")
            expect(page.locator("#mic")).to_have_class("mic recording", timeout=5_000)
            page.wait_for_timeout(600)
            page.click("#mic")
            expect(page.locator(".msg.user").nth(3)).to_have_text("brass desk lamp", timeout=20_000)
            voice_turn = page.locator(".msg.assistant").nth(3)
            expect(voice_turn).to_have_attribute("data-done", "true", timeout=20_000)
            assert "Brass Desk Lamp" in voice_turn.locator(".product-card .title").all_inner_texts()
            assert VOICE_UPLOADS and VOICE_UPLOADS[-1] > 0  # real recorded audio was uploaded
            page.wait_for_function("window.__played.length > 0", timeout=10_000)
            assert page.evaluate("window.__played") == ["data:audio/wav;base64,"]  # the spoken answer played

            # 5. listing text is shown as text, never run as HTML
            page.fill("#message", "glow lamp")
            page.press("#message", "Enter")
            xss_turn = page.locator(".msg.assistant").nth(4)
            expect(xss_turn).to_have_attribute("data-done", "true", timeout=20_000)
            assert XSS_TITLE in xss_turn.locator(".product-card .title").all_inner_texts()
            assert page.evaluate("window.__xss") is None
            assert xss_turn.locator(".product-card img[src='x']").count() == 0

            # 6. start over
            page.click("#start-over")
            expect(page.locator(".msg")).to_have_count(0)
            assert page.evaluate("sessionStorage.getItem('shoptalk.session')") is None
            page.fill("#message", "cheaper ones?")
            page.press("#message", "Enter")
            fresh = page.locator(".msg.assistant").nth(0)
            expect(fresh).to_have_attribute("data-done", "true", timeout=20_000)
            assert errors == []
        finally:
            browser.close()
