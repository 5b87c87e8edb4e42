"""People in a real browser: a shopper uses the embedded widget on the demo shop, an agent
works the staff console (inbox filters, behaviour, take over, live reply, hand back,
correct an intent, export), and role checks hold for agents and anonymous visitors.

Real Rasa (our NLU), action server, API on PostgreSQL, headless Chromium."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import create_engine, text

from api.config import DEV_ADMIN_TOKEN
from shoptalk.paths import BOT, RASA_BIN
from tests.e2e.conftest import RunningStack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
AGENT, ADMIN, PASSWORD = "ana.agent", "root.admin", "console-test-pass-1"  # noqa: S105 - test accounts
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def accounts(stack: RunningStack) -> None:
    """Create an agent and an admin with the admin token, as an operator would."""
    headers = {"authorization": f"Bearer {DEV_ADMIN_TOKEN}"}
    for username, role in ((AGENT, "agent"), (ADMIN, "admin")):
        response = httpx.post(
            f"{stack.api_url}/v1/admin/staff",
            json={"username": username, "password": PASSWORD, "role": role},
            headers=headers,
        )
        assert response.status_code in (201, 409), response.text


def _login(page: Any, api_url: str, username: str) -> None:
    page.goto(api_url + "/console")
    page.wait_for_url("**/console/login**")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#inbox", timeout=WAIT_MS)


def _say(shop: Any, message: str) -> int:
    """Type a message into the widget; return how many bot/agent bubbles there were before."""
    before = shop.locator(".msg.bot, .msg.agent").count()
    shop.fill("#shoptalk-widget input[name=text]", message)
    shop.press("#shoptalk-widget input[name=text]", "Enter")
    return before


def _wait_for_reply(shop: Any, before: int, selector: str = ".msg.bot, .msg.agent") -> None:
    shop.wait_for_function(
        "([sel, n]) => document.querySelector('#shoptalk-widget').shadowRoot.querySelectorAll(sel).length > n",
        arg=[selector, before],
        timeout=WAIT_MS,
    )


def _card_clicks(database_url: str, product_id: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM behaviour_events WHERE product_id = :p AND type = 'view' "
                        "AND source = 'recommendation'"
                    ),
                    {"p": product_id},
                ).scalar_one()
            )
    finally:
        engine.dispose()



def rasa_validate(exported: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """Run `rasa data validate` on the bot's data plus an exported corrections file."""
    corrections = folder / "corrections.yml"
    corrections.write_text(exported, encoding="utf-8")
    return subprocess.run(
        [str(RASA_BIN / "rasa"), "data", "validate", "--domain", "domain.yml", "--data", "data", str(corrections)],
        cwd=BOT,
        capture_output=True,
        text=True,
        timeout=300,
    )

def test_shopper_and_agent_work_a_conversation_end_to_end(
    stack: RunningStack, accounts: None, browser: Any, tmp_path: Path
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shop = browser.new_page(viewport={"width": 1200, "height": 820})
    console = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()

    # The shopper opens the demo shop, asks for a product and sees product cards.
    shop.goto(stack.api_url + "/shop")
    shop.click("#shoptalk-widget .launcher")
    shop.wait_for_selector("#shoptalk-widget .status:text('online')", timeout=WAIT_MS)
    before = _say(shop, "I'm looking for running shoes")
    shop.wait_for_selector("#shoptalk-widget .card", timeout=WAIT_MS)
    _wait_for_reply(shop, before)
    titles = shop.locator("#shoptalk-widget .card a.title").all_inner_texts()
    assert any("shoe" in t.lower() for t in titles), titles
    shop.screenshot(path=str(SCREENSHOTS / "widget.png"))
    conversation_id = shop.evaluate("window.ShopTalkWidget.conversationId")

    # ...clicks one: a behaviour event is stored and the product page opens with the same chat.
    first = shop.locator("#shoptalk-widget .card").first
    product_id = first.get_attribute("data-product-id")
    first.locator("a.title").click()
    shop.wait_for_url(f"**/shop/products/{product_id}", timeout=WAIT_MS)
    assert _card_clicks(stack.database_url, product_id) == 1
    shop.wait_for_selector("#shoptalk-widget .status:text('online')", timeout=WAIT_MS)
    assert shop.evaluate("window.ShopTalkWidget.conversationId") == conversation_id, "the session survives"
    shop.wait_for_selector("#shoptalk-widget .card", timeout=WAIT_MS)  # history replayed after the page load

    # ...and asks for a human.
    before = _say(shop, "I want to talk to a human agent")
    _wait_for_reply(shop, before)

    # An agent logs in, filters the inbox to handed-off conversations and opens that one.
    _login(console, stack.api_url, AGENT)
    console.click("button:text('Handed off')")
    console.wait_for_url("**handed_off=true**")
    row = console.locator(f"tr.row[data-id='{conversation_id}']")
    row.wait_for(timeout=WAIT_MS)
    assert "waiting for agent" in row.inner_text()
    console.screenshot(path=str(SCREENSHOTS / "console-inbox.png"))
    row.click()
    console.wait_for_selector("#transcript .msg.shopper .nlu")
    assert "search_product" in console.locator("#transcript").inner_text()
    timeline = console.locator("#behaviour").inner_text()
    assert "view" in timeline and product_id in timeline, "the shopper's behaviour is beside the transcript"

    # Takes over, replies; the shopper sees it live.
    console.click("#takeover")
    console.wait_for_selector("#status:text('agent')")
    before = shop.locator(".msg.agent").count()
    console.fill("#reply textarea", "Hi, Ana from the shop here. Which size do you need?")
    console.click("#reply button[type=submit]")
    _wait_for_reply(shop, before, ".msg.agent")
    assert "Ana from the shop" in shop.locator("#shoptalk-widget .msg.agent").last.inner_text()

    # Hands back: the bot answers again.
    console.click("#handback")
    console.wait_for_selector("#status:text('bot')")
    before = shop.locator("#shoptalk-widget .msg.bot").count()
    _say(shop, "thanks, show me running shoes under 3000")
    _wait_for_reply(shop, before, ".msg.bot")

    # Corrects an intent of a shopper message; the export is valid Rasa NLU YAML holding it.
    console.wait_for_function(
        "() => document.querySelectorAll('#transcript .msg.shopper').length >= 3", timeout=WAIT_MS
    )
    console.wait_for_timeout(1500)  # let the live refresh of that last turn land before editing
    message = console.locator("#transcript .msg.shopper").nth(1)  # "I want to talk to a human agent"
    message.locator("button.correct").click()
    message.locator("select[name=intent]").select_option("contact_customer_service")
    message.locator("button:text('Save correction')").click()
    console.wait_for_selector("#transcript .corrected:text('contact_customer_service')")
    console.screenshot(path=str(SCREENSHOTS / "console-conversation.png"))
    exported = console.request.get(stack.api_url + "/v1/staff/corrections/export")
    assert exported.status == 200
    data = yaml.safe_load(exported.text())
    block = next(b for b in data["nlu"] if b["intent"] == "contact_customer_service")
    assert "I want to talk to a human agent" in block["examples"]
    validate = rasa_validate(exported.text(), tmp_path)
    assert validate.returncode == 0, validate.stdout[-2000:] + validate.stderr[-2000:]

    # Resolves it; the shopper's next message opens a new conversation the widget shows too.
    console.click("button:text('Resolve')")
    console.wait_for_selector("#status:text('resolved')")
    before = shop.locator("#shoptalk-widget .msg.bot").count()
    _say(shop, "hello again")
    _wait_for_reply(shop, before, ".msg.bot")
    assert shop.evaluate("window.ShopTalkWidget.conversationId") != conversation_id

    # The analytics page draws its charts for the range.
    console.goto(stack.api_url + "/console#/analytics")
    console.wait_for_selector("#kpis .kpi")
    assert console.locator(".chart svg").count() == 4
    console.screenshot(path=str(SCREENSHOTS / "console-analytics.png"), full_page=True)


def test_agents_cannot_reach_admin_pages_or_endpoints_and_anonymous_users_reach_nothing(
    stack: RunningStack, accounts: None, browser: Any
) -> None:
    agent = browser.new_context().new_page()
    _login(agent, stack.api_url, AGENT)
    assert agent.goto(stack.api_url + "/console/admin").status == 403
    assert agent.request.get(stack.api_url + "/v1/admin/staff").status == 403
    assert agent.request.get(stack.api_url + "/v1/admin/audit").status == 403
    assert agent.locator("#admin-link").is_hidden(), "agents are not offered the admin page"

    admin = browser.new_context().new_page()
    _login(admin, stack.api_url, ADMIN)
    admin.goto(stack.api_url + "/console/admin")
    admin.wait_for_selector(f"#staff td:text('{AGENT}')")
    admin.wait_for_selector("#audit td:text('staff.login')")

    anonymous = browser.new_context().new_page()
    anonymous.goto(stack.api_url + "/console")
    assert "/console/login" in anonymous.url
    anonymous.goto(stack.api_url + "/console/admin")
    assert "/console/login" in anonymous.url
    for path in ("/v1/staff/conversations", "/v1/staff/analytics", "/v1/admin/staff", "/v1/staff/corrections/export"):
        assert anonymous.request.get(stack.api_url + path).status == 401, path
