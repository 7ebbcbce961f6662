"""The shop's recommendation rows in real headless Chromium, over the real recommendation routes.

A hand-built catalog with the pairings a shop must get right (rugs and rug pads, watches and
straps, pour-over drippers and filters, phone cases and screen protectors per phone model), a
LightGBM champion trained on synthetic sessions over it, and the gateway under uvicorn. A new
visitor sees "Popular right now"; after a search and a product view the strip is "For you" and
holds related items; the product drawer's "goes with" row shows the made-for items; the colour
chips and the price slider narrow the next search; cards are reachable with Tab; each answer is
announced to screen readers once, however many tokens it streams in. Desktop and phone sizes;
screenshots in ``test-artifacts/`` (web-rows-*.png).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_web_client import ARTIFACTS, _ask, _axe_serious, shop_page

pytestmark = [pytest.mark.slow, pytest.mark.integration]

ANNOUNCE_JS = """() => {
  window.__announced = [];
  new MutationObserver(() => {
    const t = document.getElementById('announcer').textContent;
    if (t) window.__announced.push(t);
  }).observe(document.getElementById('announcer'), {childList: true, characterData: true, subtree: true});
}"""


@pytest.fixture(scope="module")
def shop_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import httpx

    from ml.catalog.document import document_text
    from ml.config import Settings
    from ml.recommend.synthetic import generate_sessions
    from ml.recommend.training import champion_dir, train_recommender
    from services.common.launcher import app_in_thread
    from services.gateway.app import create_app
    from tests.fakes.catalog import HashingEmbedder, build_test_searcher
    from tests.ml.recommend.catalog import hand_catalog

    products = hand_catalog()
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("shop-rows")) / "data")
    matrix = HashingEmbedder().embed([document_text(p) for p in products])
    trained = train_recommender(generate_sessions(products, n_sessions=250, weeks=4, seed=5), products,
                                matrix, seed=5, num_boost_round=20)
    trained.model.save(champion_dir(settings.data_dir))
    app = create_app(settings, searcher=build_test_searcher(products))
    with app_in_thread(app, "shop-rows") as url:
        # the first turn loads the turn-understanding model; the browser checks time the client
        httpx.post(f"{url}/v1/chat", json={"message": "hello"}, timeout=300)
        yield url


def _ids(locator: Any) -> list[str]:
    return [str(x) for x in locator.evaluate_all("els => els.map(e => e.dataset.itemId)")]


def _goes_with(page: Any, turn: Any, item_id: str) -> list[str]:
    """Open ``item_id``'s card in the drawer and read its "goes with" row."""
    from playwright.sync_api import expect

    turn.locator(f".product-card[data-item-id='{item_id}']").click()
    drawer = page.locator("#drawer")
    expect(drawer).to_be_visible()
    row = drawer.locator("section[aria-label='Goes with'] .product-card")
    expect(row.first).to_be_visible(timeout=15_000)
    found = _ids(row)
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    return found


@pytest.mark.parametrize("size", ["desktop", "mobile"])
def test_rows_filters_and_announcements(shop_url: str, size: str) -> None:
    import re

    from playwright.sync_api import expect

    with shop_page(size) as (page, errors):
        page.goto(shop_url + "/")
        page.evaluate(ANNOUNCE_JS)

        # a new visitor: the strip is the popular items, headed as such (never "for you")
        strip = page.locator("#for-you")
        expect(strip).to_be_visible(timeout=15_000)
        expect(strip.locator("h2")).to_have_text(re.compile(r"^\s*Popular right now\s*$"))
        popular = page.request.get(shop_url + "/v1/recommendations?k=8").json()
        assert popular["source"] == "popular" and popular["items"]
        assert _ids(strip.locator(".product-card")) == [i["item_id"] for i in popular["items"]]
        page.wait_for_function("() => [...document.querySelectorAll('#for-you img')].slice(0, 2)"  # lazy
                               ".every(i => i.complete && i.naturalWidth > 0)", timeout=10_000)
        page.screenshot(path=str(ARTIFACTS / f"web-rows-{size}-popular.png"))

        # a search, then a view: the strip becomes "for you" and stays on topic
        rugs = _ask(page, "area rug", 0)
        shown = _ids(rugs.locator(".product-card"))
        assert shown and shown[0].startswith("RUG"), shown
        expect(strip.locator("h2")).to_contain_text("For you", timeout=15_000)
        assert page.evaluate("window.__announced.length") == 1  # one announcement for the whole answer
        assert page.evaluate("window.__announced[0]").startswith(
            rugs.locator(".answer").inner_text()[:20])
        pads = _goes_with(page, rugs, shown[0])  # rug → rug pads
        assert pads and all(i.startswith("PAD") for i in pads), pads
        page.wait_for_timeout(300)  # the view refreshes the strip
        recommended = _ids(strip.locator(".product-card"))
        assert recommended and not set(recommended) & {shown[0]}
        assert all(i.startswith(("RUG", "PAD")) for i in recommended[:2]), recommended
        assert page.evaluate("window.__announced.length") == 1
        page.screenshot(path=str(ARTIFACTS / f"web-rows-{size}-for-you.png"))

        # watch → straps; iPhone 13 case ↔ iPhone 13 screen protector (never the iPhone 12 one)
        watches = _ask(page, "chronograph watch", 1)
        assert page.evaluate("window.__announced.length") == 2
        straps = _goes_with(page, watches, "WATCH1")
        assert straps and all(i.startswith("STRAP") for i in straps), straps
        cases = _ask(page, "clear case for iphone 13", 2)
        assert "CASE13" in _ids(cases.locator(".product-card"))
        for_case = _goes_with(page, cases, "CASE13")
        assert "SP13" in for_case and "SP12" not in for_case and "CASE12" not in for_case, for_case
        drippers = _ask(page, "pour over coffee dripper", 3)
        dripper = next(i for i in _ids(drippers.locator(".product-card")) if i.startswith("DRIP"))
        filters = _goes_with(page, drippers, dripper)
        assert filters and all(i.startswith("FILT") for i in filters), filters

        # keyboard: the cards are in the tab order (Shift+Tab back from the question box)
        page.focus("#message")
        for _ in range(40):
            page.keyboard.press("Shift+Tab")
            if page.evaluate("document.activeElement.classList.contains('product-card')"):
                break
        assert page.evaluate("document.activeElement.classList.contains('product-card')")
        assert page.evaluate("!!document.activeElement.closest('#log')")
        focused = page.evaluate("document.activeElement.dataset.itemId")
        page.keyboard.press("Enter")
        expect(page.locator("#drawer")).to_be_visible()
        expect(page.locator("#drawer-title")).to_have_text(
            page.locator(f"#log .product-card[data-item-id='{focused}'] .title").first.inner_text())
        page.keyboard.press("Escape")

        # filters: the price slider, then a colour chip, each narrow the next search
        if size == "mobile":
            page.click("#filters-toggle")
        page.locator("#price-range").fill("40")
        expect(page.locator("#price-label")).to_have_text("$40.00")
        cheap = _ask(page, "rug", 4)
        prices = [float(t.strip("$").replace(",", ""))
                  for t in cheap.locator(".product-card .price").all_inner_texts()]
        assert prices and max(prices) <= 40, prices
        page.locator("#price-range").fill(page.locator("#price-range").get_attribute("max") or "1000")
        expect(page.locator("#price-label")).to_have_text("any")
        page.locator("#facet-colors .chip", has_text=re.compile("^white$", re.I)).click()
        if size == "mobile":
            page.click("#filters-toggle")
        white = _ask(page, "coffee", 5)
        colours = white.locator(".product-card .color-chip").all_inner_texts()
        assert white.locator(".product-card").count() >= 1
        assert all("white" in c.lower() for c in colours), colours
        assert page.evaluate("window.__announced.length") == 6  # once per answer, six answers
        page.screenshot(path=str(ARTIFACTS / f"web-rows-{size}-filtered.png"), full_page=True)

        violations = _axe_serious(page)
        assert violations == [], violations
        assert errors == []
