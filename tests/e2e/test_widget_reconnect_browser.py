"""The widget in a real browser loses its connection and loses nothing, duplicates nothing.

Playwright sits between the page and the API's WebSocket (route_web_socket) and cuts the
connection at the worst moments: right after the server stored a message but before its
ack reached the widget, and while the shopper types the next one. The widget reconnects,
replays history and resends what was not stored; each message is stored and shown once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import RunningStack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
WAIT_MS = 30_000


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (its own localStorage) for the test."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


def _stored(database_url: str, body: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM messages WHERE author = 'shopper' AND text = :t"), {"t": body}
                ).scalar_one()
            )
    finally:
        engine.dispose()


def _bubbles(page: Any, body: str) -> int:
    return int(
        page.evaluate(
            """(t) => [...document.querySelector('#shoptalk-widget').shadowRoot
                      .querySelectorAll('.msg.shopper')].filter((m) => m.textContent === t).length""",
            body,
        )
    )


def test_dropped_connections_lose_and_duplicate_nothing(stack: RunningStack, page: Any) -> None:
    cut = {"before_ack": False, "connections": 0}
    routes: list[Any] = []

    def route(ws: Any) -> None:
        server = ws.connect_to_server()
        routes.append(ws)
        cut["connections"] += 1

        def from_server(message: str | bytes) -> None:
            frame = json.loads(message)
            if cut["before_ack"] and frame.get("type") == "ack":
                cut["before_ack"] = False
                ws.close()  # stored on the server, but the widget never hears so
                return
            ws.send(message)

        server.on_message(from_server)

    page.route_web_socket("**/v1/ws", route)
    page.goto(stack.api_url + "/shop")
    page.click("#shoptalk-widget .launcher")
    page.wait_for_selector("#shoptalk-widget .status:text('online')", timeout=WAIT_MS)

    # 1. The connection drops after the server stored the message, before the ack.
    first = "hello, do you sell watches?"
    cut["before_ack"] = True
    page.fill("#shoptalk-widget input[name=text]", first)
    page.press("#shoptalk-widget input[name=text]", "Enter")
    page.wait_for_selector("#shoptalk-widget .msg.bot", timeout=WAIT_MS)  # the reply, replayed after reconnecting
    assert cut["connections"] >= 2

    # 2. The connection drops, and the shopper sends before the widget is back.
    second = "and what about running shoes?"
    routes[-1].close()
    page.fill("#shoptalk-widget input[name=text]", second)
    page.press("#shoptalk-widget input[name=text]", "Enter")
    page.wait_for_function(
        """(t) => [...document.querySelector('#shoptalk-widget').shadowRoot.querySelectorAll('.msg.shopper')]
                  .some((m) => m.textContent === t && !m.classList.contains('pending'))""",
        arg=second,
        timeout=WAIT_MS,
    )
    page.wait_for_function(
        "() => document.querySelector('#shoptalk-widget').shadowRoot.querySelectorAll('.msg.bot').length >= 2",
        timeout=WAIT_MS,
    )

    # 3. A page reload replays the conversation once more, still without doubles.
    page.reload()  # the widget remembers it was open
    page.wait_for_selector("#shoptalk-widget .status:text('online')", timeout=WAIT_MS)
    page.wait_for_function(
        "() => document.querySelector('#shoptalk-widget').shadowRoot.querySelectorAll('.msg.shopper').length >= 2",
        timeout=WAIT_MS,
    )
    for body in (first, second):
        assert _stored(stack.database_url, body) == 1, f"stored once: {body}"
        assert _bubbles(page, body) == 1, f"shown once: {body}"
    assert not page.evaluate("JSON.parse(localStorage.getItem('shoptalk-widget')).outbox.length")
