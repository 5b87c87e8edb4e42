"""GET /v1/orders: orders from purchase events, status updates, only the shopper's own."""

from __future__ import annotations

from fastapi.testclient import TestClient


def _purchase(
    client: TestClient, n: int, sid: str, order: str, status: str | None = None, product: str = "mug-1"
) -> None:
    extra = {"order_id": order, **({"status": status} if status else {})}
    event = {
        "event_id": f"o{n}",
        "type": "purchase",
        "session_id": sid,
        "product_id": product,
        "price": 5.0,
        "quantity": 2,
        "extra": extra,
    }
    assert client.post("/v1/events", json=event).json()["accepted"] == 1


def test_an_order_shows_its_latest_status_and_total(client: TestClient) -> None:
    _purchase(client, 1, "s1", "A-1")
    _purchase(client, 2, "s1", "A-1", status="shipped")
    [order] = client.get("/v1/orders", params={"session_id": "s1", "order_id": "A-1"}).json()
    assert (order["status"], order["total"], len(order["items"])) == ("shipped", 10.0, 1)


def test_another_shoppers_order_is_never_returned(client: TestClient) -> None:
    _purchase(client, 3, "s1", "A-2")
    assert client.get("/v1/orders", params={"session_id": "intruder", "order_id": "A-2"}).json() == []


def test_asking_for_nobody_is_refused(client: TestClient) -> None:
    response = client.get("/v1/orders", params={"order_id": "A-2"})
    assert response.status_code == 400 and "session_id" in response.json()["detail"]
