"""A Chinese shopper on the Chinese demo shop, in a real browser, with the real stack:
the widget speaks Chinese, "有没有500以内的跑步鞋" gets a Chinese reply with cards,
"便宜一点的" narrows the price, "我要转人工" hands off with the Chinese notice, and the agent
sees the conversation marked zh in the console. Real Rasa (our NLU's Chinese path), action
server, API on PostgreSQL, headless Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.e2e.conftest import RunningStack
from tests.e2e.test_staff_console_browser import (  # noqa: F401
    AGENT,
    _login,
    _say,
    _wait_for_reply,
    accounts,
    rasa_validate,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
WAIT_MS = 30_000
CJK = re.compile(r"[\u4e00-\u9fff]")
MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")  # Rasa's entity markup: [span](entity) or [span]{...}


def _zh_response(name: str) -> str:
    import yaml

    from shoptalk.paths import BOT

    variants = yaml.safe_load((BOT / "domain.yml").read_text(encoding="utf-8"))["responses"][name]
    return next(v["text"] for v in variants if v.get("condition"))


HANDOFF_NOTICE_ZH = _zh_response("utter_contact_human_agent")


@pytest.fixture
def shop(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def _last_bot(page: Any) -> Any:
    return page.locator("#shoptalk-widget .msg.bot").last


def _cards(page: Any) -> Any:
    return page.locator("#shoptalk-widget .cards")


def _prices(cards: Any) -> list[float]:
    texts = cards.locator(".card .price").all_text_contents()
    return [float(re.sub(r"[^\d.]", "", t)) for t in texts if re.search(r"\d", t)]


def test_a_chinese_shopper_is_answered_in_chinese_and_handed_off(
    stack: RunningStack,
    shop: Any,
    browser: Any,
    accounts: None,  # noqa: F811
    tmp_path: Path,
) -> None:
    shop.goto(stack.api_url + "/shop?lang=zh-CN")
    assert shop.evaluate("document.documentElement.lang") == "zh-CN"
    shop.click("#shoptalk-widget .launcher")
    shop.wait_for_selector("#shoptalk-widget .status:text('在线')", timeout=WAIT_MS)

    before = _say(shop, "有没有500以内的跑步鞋")
    _wait_for_reply(shop, before)
    _cards(shop).first.wait_for(timeout=WAIT_MS)  # the reply's product cards follow its bubble
    assert CJK.search(_last_bot(shop).inner_text())  # the reply is written in Chinese
    first_prices = _prices(_cards(shop).last)
    assert first_prices and max(first_prices) <= 500

    lists = _cards(shop).count()
    before = _say(shop, "便宜一点的")
    _wait_for_reply(shop, before)
    # narrower than what was shown: cheaper cards, or (when none is cheaper still) a reply that
    # names the lower ceiling and asks which constraint to change
    if _cards(shop).count() > lists:
        assert max(_prices(_cards(shop).last)) < min(first_prices)
    else:
        said = _last_bot(shop).inner_text()
        ceilings = [float(a.replace(",", "")) for a in re.findall(r"₹([\d,]+(?:\.\d+)?)以内", said)]
        assert CJK.search(said) and ceilings and max(ceilings) < min(first_prices), said

    before = _say(shop, "我要转人工")
    _wait_for_reply(shop, before)
    notice = _last_bot(shop).inner_text()
    assert notice.strip() == HANDOFF_NOTICE_ZH

    session = shop.evaluate("window.ShopTalkWidget.sessionId")
    anonymous = httpx.get(f"{stack.api_url}/v1/staff/conversations", params={"language": "zh"})
    assert anonymous.status_code in (401, 403)  # nothing about a shopper without staff proof
    console = browser.new_context().new_page()
    _login(console, stack.api_url, AGENT)
    console.goto(stack.api_url + "/console#/inbox?language=zh")
    row = console.locator("#inbox tbody tr", has_text=session)
    row.wait_for(timeout=WAIT_MS)
    assert row.locator(".pill.lang").inner_text() == "zh"
    assert "waiting" in row.inner_text()  # handed off: waiting for an agent

    # The agent corrects the first message's intent; the export holds the Chinese text and
    # `rasa data validate` accepts it beside the bot's data.
    row.click()
    console.wait_for_selector("#transcript .msg.shopper .nlu", timeout=WAIT_MS)
    message = console.locator("#transcript .msg.shopper").first
    assert "有没有500以内的跑步鞋" in message.inner_text()
    message.locator("button.correct").click()
    message.locator("select[name=intent]").select_option("check_availability")
    message.locator("button:text('Save correction')").click()
    console.wait_for_selector("#transcript .corrected:text('check_availability')", timeout=WAIT_MS)
    exported = console.request.get(stack.api_url + "/v1/staff/corrections/export")
    assert exported.status == 200
    block = next(b for b in yaml.safe_load(exported.text())["nlu"] if b["intent"] == "check_availability")
    assert "- 有没有500以内的跑步鞋\n" in MARKUP.sub(r"\1", block["examples"])  # the entities the agent kept
    validate = rasa_validate(exported.text(), tmp_path)
    assert validate.returncode == 0, validate.stdout[-2000:] + validate.stderr[-2000:]
