"""Through the real stack: the bot's product replies change with what the shopper says
and with what the shopper does (behaviour events), and follow-ups refine the request."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def _chat(stack: RunningStack, sender: str, message: str) -> dict:
    response = httpx.post(
        f"{stack.api_url}/v1/chat",
        json={"sender": sender, "message": message, "client_message_id": uuid.uuid4().hex},
        headers=stack.shop,  # an integrator's server-side channel: the shop's key speaks for any sender
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return response.json()


def _cards(turn: dict) -> list[dict]:
    return [card for m in turn["messages"][1:] for card in m["products"]]


def test_replies_change_with_behaviour_and_follow_ups(stack: RunningStack) -> None:
    sender = f"e2e-recs-{uuid.uuid4().hex[:8]}"
    first = _cards(_chat(stack, sender, "I'm looking for a wrist watch"))
    assert first, "a product request is answered with cards"
    # The shopper looks at the last card twice and puts it in the cart on the shop's site.
    liked = first[-1]
    events = [
        {"event_id": f"{sender}-{i}", "type": kind, "session_id": sender, "product_id": liked["product_id"]}
        for i, kind in enumerate(("view", "view", "add_to_cart"))
    ]
    stored = httpx.post(f"{stack.api_url}/v1/events", json=events, headers=stack.shop, timeout=30).json()
    assert stored["accepted"] == 3

    again = _cards(_chat(stack, sender, "show me watches"))
    assert again[0]["product_id"] == liked["product_id"], "what the shopper did moves up"
    assert "looked at" in again[0]["reason"]

    cheaper = _chat(stack, sender, "show me cheaper ones")
    cheaper_cards = _cards(cheaper)
    assert cheaper_cards
    shown_min = min(c["price"] for c in again if c["price"] is not None)
    assert all(c["price"] < shown_min for c in cheaper_cards if c["price"] is not None)
