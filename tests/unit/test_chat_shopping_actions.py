"""The bot acting for its shopper: cart adds and order cancellations, only for that shopper (issue 21)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.behaviour.models import BehaviourEvent
from api.config import DEV_ADMIN_TOKEN, Settings
from api.integrations.models import OutboxEvent


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No dispatcher: the outbox rows stay where the tests can read them."""
    return settings.model_copy(update={"webhook_dispatcher": False})


@pytest.fixture(autouse=True)
def subscribed(client: TestClient) -> None:
    """The shop listens for what the bot does for its shoppers."""
    hook = {"url": "http://shop.test/hooks", "event_types": ["cart.item_added", "order.cancelled"]}
    headers = {"authorization": f"Bearer {DEV_ADMIN_TOKEN}"}
    assert client.post("/v1/admin/subscriptions", json=hook, headers=headers).status_code == 201


def _conversation(client: TestClient, sender: str) -> str:
    return client.post("/v1/chat", json={"sender": sender, "message": "hi"}).json()["conversation_id"]


def _order(client: TestClient, sender: str, order_id: str, status: str) -> None:
    event = {
        "event_id": f"{sender}-{order_id}",
        "type": "purchase",
        "session_id": sender,
        "product_id": "mug-1",
        "price": 299.0,
        "extra": {"order_id": order_id, "status": status},
    }
    assert client.post("/v1/events", json=event).json()["accepted"] == 1


def _verify(client: TestClient, sender: str) -> None:
    link = {"session_id": sender, "customer_id": f"{sender}-customer"}
    assert client.post("/v1/shoppers/identify", json=link).is_success


def _rows(client: TestClient, model: type, **where: str) -> list:
    with client.app.state.services.session_factory() as session:  # type: ignore[attr-defined]
        query = select(model).filter_by(**where)
        return list(session.scalars(query))


def test_a_shown_product_goes_in_the_shoppers_cart_and_the_shop_hears_of_it(client: TestClient) -> None:
    conversation = _conversation(client, "cart-1")
    response = client.post(f"/v1/conversations/{conversation}/cart", json={"product_ids": ["shoe-2", "mug-1"]})
    assert response.status_code == 200, response.text
    assert [a["title"] for a in response.json()["added"]] == ["Road Running Shoes", "Ceramic Coffee Mug"]
    events = _rows(client, BehaviourEvent, session_id="cart-1", type="add_to_cart")
    assert sorted(e.product_id for e in events) == ["mug-1", "shoe-2"]
    assert all(e.conversation_id == conversation for e in events)
    assert len(_rows(client, OutboxEvent, type="cart.item_added")) == 2


def test_a_cart_add_that_cannot_be_done_says_why_and_adds_nothing(client: TestClient, anon: TestClient) -> None:
    conversation = _conversation(client, "cart-2")
    sold_out = client.post(f"/v1/conversations/{conversation}/cart", json={"product_ids": ["dress-1"]})
    assert sold_out.status_code == 400 and "out of stock" in sold_out.json()["detail"]
    unknown = client.post(f"/v1/conversations/{conversation}/cart", json={"product_ids": ["shoe-2", "nope"]})
    assert unknown.status_code == 404 and "nope" in unknown.json()["detail"]
    assert client.post("/v1/conversations/missing/cart", json={"product_ids": ["shoe-2"]}).status_code == 404
    assert client.post(f"/v1/conversations/{conversation}/cart", json={"product_ids": []}).status_code == 422
    # a browser may not put things in anyone's cart through the bot's door
    assert anon.post(f"/v1/conversations/{conversation}/cart", json={"product_ids": ["shoe-2"]}).status_code == 401
    assert _rows(client, BehaviourEvent, session_id="cart-2", type="add_to_cart") == []


def test_a_verified_shoppers_unshipped_order_is_cancelled(client: TestClient) -> None:
    conversation = _conversation(client, "ord-1")
    _order(client, "ord-1", "A1001", "processing")
    _verify(client, "ord-1")
    response = client.post(f"/v1/conversations/{conversation}/orders/A1001/cancel")
    assert response.status_code == 200, response.text
    assert response.json()["cancelled"] is True and response.json()["order"]["status"] == "cancelled"
    [order] = client.get("/v1/orders", params={"session_id": "ord-1", "order_id": "A1001"}).json()
    assert order["status"] == "cancelled"
    assert len(_rows(client, OutboxEvent, type="order.cancelled")) == 1


def test_a_shipped_order_is_not_cancelled_and_the_answer_says_why(client: TestClient) -> None:
    conversation = _conversation(client, "ord-2")
    _order(client, "ord-2", "98765", "shipped")
    _verify(client, "ord-2")
    body = client.post(f"/v1/conversations/{conversation}/orders/98765/cancel").json()
    assert (body["cancelled"], body["order"]["status"]) == (False, "shipped")
    assert "return" in body["reason"]


def test_orders_are_cancelled_only_for_their_verified_shopper(client: TestClient) -> None:
    mine = _conversation(client, "ord-3")
    _order(client, "ord-3", "B2002", "placed")
    unverified = client.post(f"/v1/conversations/{mine}/orders/B2002/cancel")
    assert unverified.status_code == 403 and "verified" in unverified.json()["detail"]
    intruder = _conversation(client, "ord-4")
    _verify(client, "ord-4")
    assert client.post(f"/v1/conversations/{intruder}/orders/B2002/cancel").status_code == 404
    [order] = client.get("/v1/orders", params={"session_id": "ord-3", "order_id": "B2002"}).json()
    assert order["status"] == "placed"
