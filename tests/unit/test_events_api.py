"""POST /v1/events: batches validated item by item, idempotent by event_id."""

from __future__ import annotations

from fastapi.testclient import TestClient


def _event(n: int, **over: object) -> dict:
    return {"event_id": f"e{n}", "type": "view", "session_id": "s1", "product_id": "shoe-1", **over}


def test_one_event_is_stored(client: TestClient) -> None:
    body = client.post("/v1/events", json=_event(1)).json()
    assert body == {"accepted": 1, "duplicates": 0, "rejected": []}


def test_a_retried_batch_is_stored_once(client: TestClient) -> None:
    batch = {"events": [_event(i) for i in range(5)]}
    assert client.post("/v1/events", json=batch).json()["accepted"] == 5
    again = client.post("/v1/events", json=batch).json()
    assert (again["accepted"], again["duplicates"]) == (0, 5)


def test_bad_items_are_rejected_with_reasons_and_good_ones_kept(client: TestClient) -> None:
    batch = [
        _event(1),
        _event(2, type="teleport"),
        _event(3, product_id=None),
        {"event_id": "e4", "type": "view", "product_id": "shoe-1"},
        _event(5, quantity=0),
        _event(6, type="search", product_id=None, query="red shoes"),
        _event(1),
        "not an event",
    ]
    body = client.post("/v1/events", json=batch).json()
    assert body["accepted"] == 2
    reasons = {r["index"]: " ".join(r["errors"]) for r in body["rejected"]}
    assert set(reasons) == {1, 2, 3, 4, 6, 7}
    assert "type" in reasons[1]
    assert "product_id is required" in reasons[2]
    assert "session_id or customer_id" in reasons[3]
    assert "quantity" in reasons[4]
    assert "repeats" in reasons[6]


def test_an_oversized_batch_is_refused_and_nothing_stored(client: TestClient) -> None:
    response = client.post("/v1/events", json=[_event(i) for i in range(1001)])
    assert response.status_code == 413
    assert "at most 1000" in response.json()["detail"]
    assert client.post("/v1/events", json=_event(0)).json()["accepted"] == 1


def test_a_body_that_is_not_events_gets_a_clear_400(client: TestClient) -> None:
    response = client.post("/v1/events", json=42)
    assert response.status_code == 400
    assert "event object" in response.json()["detail"]
