"""Click-through and conversion of recommended cards; the admin token is required."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.config import DEV_ADMIN_TOKEN

ADMIN = {"authorization": f"Bearer {DEV_ADMIN_TOKEN}"}


def test_clicks_and_purchases_after_a_click_are_counted(client: TestClient) -> None:
    client.post("/v1/chat", json={"sender": "s1", "message": "I am looking for shoes"})  # the fake shows 1 card
    events = [
        {"event_id": "c1", "type": "view", "session_id": "s1", "product_id": "P1", "source": "recommendation"},
        {"event_id": "c2", "type": "add_to_cart", "session_id": "s1", "product_id": "P1", "source": "recommendation"},
        {"event_id": "c3", "type": "purchase", "session_id": "s1", "product_id": "P1"},
        {"event_id": "c4", "type": "purchase", "session_id": "s1", "product_id": "other"},
    ]
    assert client.post("/v1/events", json=events).json()["accepted"] == 4
    stats = client.get("/v1/analytics/recommendations", headers=ADMIN).json()
    assert (stats["cards_shown"], stats["clicks"], stats["cart_adds"], stats["purchases_after_click"]) == (1, 1, 1, 1)
    assert stats["click_through_rate"] == 1.0 and stats["conversion_rate"] == 1.0


def test_analytics_need_the_admin_token(client: TestClient) -> None:
    assert client.get("/v1/analytics/recommendations").status_code == 401
    wrong = client.get("/v1/analytics/recommendations", headers={"authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "unknown or has expired" in wrong.json()["detail"]
