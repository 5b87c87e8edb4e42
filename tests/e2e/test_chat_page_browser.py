"""A person in a real browser: the chat page shows the bot's product cards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import RunningStack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_shopper_chats_in_the_browser_and_sees_cards(stack: RunningStack, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 900, "height": 800})
    page = context.new_page()
    page.goto(stack.api_url + "/")
    page.fill("#text", "I'm looking for running shoes")
    page.click("button[type=submit]")
    page.wait_for_selector(".card", timeout=30_000)
    titles = page.locator(".card .title").all_inner_texts()
    assert any("running" in t.lower() for t in titles)
    assert page.locator(".msg.shopper .nlu").inner_text().startswith("understood: search_product")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "chat-page.png"))
    product_id = page.locator(".card").first.get_attribute("data-product-id")
    with page.expect_response(lambda r: r.url.endswith("/v1/events") and r.status == 200):
        page.locator(".card button.add").first.click()
    context.close()
    engine = create_engine(stack.database_url)
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT type, source FROM behaviour_events WHERE product_id = :p ORDER BY id DESC LIMIT 1"),
            {"p": product_id},
        ).one()
    engine.dispose()
    assert tuple(row) == ("add_to_cart", "recommendation")


def test_shop_search_reads_a_typo_in_the_catalogs_words(stack: RunningStack, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.goto(stack.api_url + "/shop?q=" + "runing%20shoes")
    page.wait_for_selector(".hero .respelt", timeout=30_000)
    assert page.locator(".hero h2").inner_text() == "Results for “running shoes”"
    assert page.locator(".hero .respelt").inner_text() == "You searched for “runing shoes”"
    titles = page.locator(".grid .item .t").all_inner_texts()
    assert titles and "shoe" in titles[0].lower()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "shop-search-spelling.png"))
    context.close()


def test_the_api_docs_render_in_a_browser_under_the_strict_csp(stack: RunningStack, browser: Any) -> None:
    # issue 19: /docs was blank, the CSP blocked Swagger UI's CDN files; now they come from the API
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("requestfailed", lambda r: blocked.append(r.url))
    page.goto(stack.api_url + "/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
    assert "ShopTalk API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock-summary-path").count() > 20, "the operations are listed"
    assert blocked == []
    page.screenshot(path=str(SCREENSHOTS / "api-docs.png"))
    context.close()
