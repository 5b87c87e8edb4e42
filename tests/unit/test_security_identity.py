"""Issue 19, item 1: nothing about a shopper is answered to anyone who has not proved to be them.

Each test replays a request a hostile visitor sent to the demo stack, and shows it refused.
On the code before the fix, the anonymous requests were answered (orders, identify, messages).
"""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.config import DEV_ACTIONS_API_KEY, DEV_IDENTITY_SECRET
from api.identity.models import ApiKey
from api.identity.verification import sign_customer
from tests.support.credentials import ShopperSession
from tests.support.staff import staff_headers

ACTIONS = {"authorization": f"Bearer {DEV_ACTIONS_API_KEY}"}


def _victim_with_an_order(client: TestClient) -> None:
    """The shop's backend (its API key) reports the victim's order and links their session."""
    event = {"event_id": "v1", "type": "purchase", "customer_id": "cust-victim-1", "product_id": "P1", "price": 9.0}
    assert client.post("/v1/events", json={**event, "extra": {"order_id": "V-9001"}}).json()["accepted"] == 1
    link = {"session_id": "victim", "customer_id": "cust-victim-1"}
    assert client.post("/v1/shoppers/identify", json=link).is_success


def _signed(customer_id: str, expires_at: int) -> dict[str, object]:
    signature = sign_customer(DEV_IDENTITY_SECRET, customer_id, expires_at)
    return {"customer_id": customer_id, "expires_at": expires_at, "signature": signature}


def test_anyone_reading_a_customers_orders_is_refused(client: TestClient, anon: TestClient) -> None:
    _victim_with_an_order(client)
    refused = anon.get("/v1/orders", params={"customer_id": "cust-victim-1"})
    assert refused.status_code == 401 and "API key" in refused.json()["detail"]
    [order] = client.get("/v1/orders", params={"customer_id": "cust-victim-1"}).json()  # the shop's backend may
    assert order["order_id"] == "V-9001"


def test_linking_a_session_to_someone_elses_customer_id_is_refused(client: TestClient, anon: TestClient) -> None:
    _victim_with_an_order(client)
    attacker = ShopperSession(anon, "attacker")
    assert attacker.chat("hi").status_code == 200
    unsigned = anon.post("/v1/shoppers/identify", json={"session_id": "attacker", "customer_id": "cust-victim-1"})
    assert unsigned.status_code == 401
    forged = {**_signed("cust-attacker", int(time.time()) + 600), "customer_id": "cust-victim-1"}
    headers = {"x-session-token": attacker.token}
    wrong = anon.post("/v1/shoppers/identify", json={"session_id": "attacker", **forged}, headers=headers)
    assert wrong.status_code == 401 and "does not match" in wrong.json()["detail"]
    # so the bot, asking as the action server for the attacker's session, finds no order
    assert anon.get("/v1/orders", params={"session_id": "attacker"}, headers=ACTIONS).json() == []


def test_a_session_the_shop_signed_for_is_linked(anon: TestClient) -> None:
    shopper = ShopperSession(anon, "web-42")
    assert shopper.chat("hi").status_code == 200
    body = {"session_id": "web-42", **_signed("cust-42", int(time.time()) + 600)}
    assert anon.post("/v1/shoppers/identify", json=body).status_code == 401, "the session's token is needed too"
    linked = anon.post("/v1/shoppers/identify", json=body, headers={"x-session-token": shopper.token})
    assert linked.status_code == 200 and linked.json()["sessions"] == ["web-42"]


def test_an_expired_or_far_future_signature_is_refused(anon: TestClient) -> None:
    shopper = ShopperSession(anon, "web-43")
    shopper.chat("hi")
    headers = {"x-session-token": shopper.token}
    for expires_at, reason in ((int(time.time()) - 5, "expired"), (int(time.time()) + 30 * 86400, "days ahead")):
        body = {"session_id": "web-43", **_signed("cust-43", expires_at)}
        refused = anon.post("/v1/shoppers/identify", json=body, headers=headers)
        assert refused.status_code == 401 and reason in refused.json()["detail"]


def test_a_conversation_is_read_only_by_its_shopper_staff_or_the_bot(client: TestClient, anon: TestClient) -> None:
    shopper = ShopperSession(anon, "reader-1")
    conversation_id = shopper.chat("my email is a@b.example").json()["conversation_id"]
    path = f"/v1/conversations/{conversation_id}/messages"
    assert anon.get(path).status_code == 401
    other = ShopperSession(anon, "reader-2")
    other.chat("hi")
    assert anon.get(path, headers={"x-session-token": other.token}).status_code == 401
    assert len(anon.get(path, headers={"x-session-token": shopper.token}).json()) == 2
    assert anon.get(path, headers=staff_headers(client, "ana", "agent")).status_code == 200
    assert anon.get(path, headers=ACTIONS).status_code == 200
    assert anon.get(f"/v1/conversations/{conversation_id}/purchase-intent").status_code == 401


def test_writing_into_another_shoppers_conversation_is_refused(anon: TestClient) -> None:
    victim = ShopperSession(anon, "victim-7")
    assert victim.chat("hi").status_code == 200
    intruder = anon.post("/v1/chat", json={"sender": "victim-7", "message": "track my order"})
    assert intruder.status_code == 401 and "session_token" in intruder.json()["detail"]
    forged = anon.post("/v1/chat", json={"sender": "victim-7", "message": "hi"}, headers={"x-session-token": "forged"})
    assert forged.status_code == 401
    assert victim.chat("thanks").status_code == 200


def test_a_browser_reports_only_its_own_browsing(anon: TestClient) -> None:
    shopper = ShopperSession(anon, "browser-1")
    shopper.chat("hi")
    headers = {"x-session-token": shopper.token}
    view = {"event_id": "b1", "type": "view", "session_id": "browser-1", "product_id": "P1"}
    assert anon.post("/v1/events", json=view).status_code == 401
    assert anon.post("/v1/events", json=view, headers=headers).json()["accepted"] == 1
    someone_else = {**view, "event_id": "b2", "session_id": "victim"}
    assert anon.post("/v1/events", json=someone_else, headers=headers).status_code == 401
    purchase = {**view, "event_id": "b3", "type": "purchase", "extra": {"order_id": "FAKE-1"}}
    assert anon.post("/v1/events", json=purchase, headers=headers).status_code == 403


def test_recommendations_read_history_only_for_a_service(anon: TestClient) -> None:
    body = {"conversation_id": "c1", "session_id": "victim", "query": "shoes", "limit": 3}
    assert anon.post("/v1/recommendations", json=body).status_code == 401
    assert anon.post("/v1/recommendations", json=body, headers=ACTIONS).status_code == 200


def test_shop_keys_are_stored_hashed_and_can_be_revoked(client: TestClient, anon: TestClient) -> None:
    admin = {"authorization": "Bearer dev-admin-token"}
    created = anon.post("/v1/admin/api-keys", json={"name": "shop-backend"}, headers=admin).json()
    key = created["key"]
    with client.app.state.services.session_factory() as session:  # type: ignore[attr-defined]
        stored = [row.key_hash for row in session.scalars(select(ApiKey))]
    assert key not in stored and len(stored) == 2  # the fixture's key and this one, hashes only
    as_shop = {"authorization": f"Bearer {key}"}
    assert anon.get("/v1/orders", params={"session_id": "s"}, headers=as_shop).status_code == 200
    assert anon.delete(f"/v1/admin/api-keys/{created['id']}", headers=admin).status_code == 204
    assert anon.get("/v1/orders", params={"session_id": "s"}, headers=as_shop).status_code == 401
    assert anon.get("/v1/orders", params={"session_id": "s"}, headers=admin).status_code == 401, "not the admin token"


def test_the_websocket_resumes_a_session_only_with_its_token(anon: TestClient) -> None:
    with anon.websocket_connect("/v1/ws") as ws:
        ws.send_json({"type": "session_request", "session_id": "ws-victim"})
        token = ws.receive_json()["session_token"]
        ws.send_json({"type": "message", "text": "my card was charged", "client_id": "m1"})
        while ws.receive_json()["type"] != "purchase_intent":
            pass
    with anon.websocket_connect("/v1/ws") as ws:
        ws.send_json({"type": "session_request", "session_id": "ws-victim"})
        refused = ws.receive_json()
        assert refused["type"] == "error" and refused["status"] == 401
        ws.send_json({"type": "history", "after_seq": 0})
        assert ws.receive_json()["type"] == "error", "no history without a session"
        ws.send_json({"type": "session_request", "session_id": "ws-victim", "session_token": token})
        assert ws.receive_json()["type"] == "session_confirm"


def test_a_session_the_shop_verified_before_its_first_message_can_chat(client: TestClient, anon: TestClient) -> None:
    linked = client.post("/v1/shoppers/identify", json={"session_id": "early", "customer_id": "cust-early"})
    token = linked.json()["session_token"]
    assert token, "the shop's backend gets the session's token for its page"
    assert anon.post("/v1/chat", json={"sender": "early", "message": "hi"}).status_code == 401
    chat = anon.post("/v1/chat", json={"sender": "early", "message": "hi"}, headers={"x-session-token": token})
    assert chat.status_code == 200


def test_a_browser_identifying_itself_gets_no_token_it_did_not_have(anon: TestClient) -> None:
    shopper = ShopperSession(anon, "self-id")
    assert shopper.chat("hi").status_code == 200
    body = {"session_id": "self-id", **_signed("cust-self", int(time.time()) + 300)}
    linked = anon.post("/v1/shoppers/identify", json=body, headers={"x-session-token": shopper.token})
    assert linked.status_code == 200 and linked.json()["session_token"] is None
