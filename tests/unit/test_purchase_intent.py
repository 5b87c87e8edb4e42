"""Purchase intent per conversation: NLU score fused with behaviour, stored over time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from api.conversations.purchase_intent import Signal, fuse
from api.turns.service import CHECKOUT_NUDGE

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def test_browsing_talk_without_behaviour_is_browse() -> None:
    assert fuse("browse", 0.05, None, [], NOW).stage == "browse"


def test_cart_adds_and_repeat_views_raise_the_score() -> None:
    signals = [
        Signal("view", "p1", NOW - timedelta(minutes=9)),
        Signal("view", "p1", NOW - timedelta(minutes=5)),
        Signal("add_to_cart", "p1", NOW - timedelta(minutes=1)),
    ]
    quiet = fuse("consider", 0.3, None, [], NOW)
    busy = fuse("consider", 0.3, None, signals, NOW)
    assert busy.score > quiet.score
    assert busy.stage == "purchase"
    assert busy.signals["cart_adds_net"] == 1 and busy.signals["repeat_views"] == 1


def test_old_behaviour_counts_less_than_fresh() -> None:
    fresh = fuse(None, None, None, [Signal("add_to_cart", "p1", NOW)], NOW)
    stale = fuse(None, None, None, [Signal("add_to_cart", "p1", NOW - timedelta(days=5))], NOW)
    assert fresh.score > stale.score


def test_service_stages_from_the_nlu_win() -> None:
    signals = [Signal("add_to_cart", "p1", NOW)]
    assert fuse("post_purchase", 0.0, None, signals, NOW).stage == "post_purchase"


def test_cart_plus_buying_talk_turns_the_conversation_to_purchase_and_nudges_checkout(client: TestClient) -> None:
    first = client.post("/v1/chat", json={"sender": "s7", "message": "hi"}).json()
    assert first["purchase_intent"]["stage"] == "browse"
    event = {"event_id": "c1", "type": "add_to_cart", "session_id": "s7", "product_id": "shoe-1"}
    assert client.post("/v1/events", json=event).json()["accepted"] == 1
    turn = client.post("/v1/chat", json={"sender": "s7", "message": "I want to buy it"}).json()
    assert turn["purchase_intent"]["stage"] == "purchase"
    assert turn["messages"][-1]["text"] == CHECKOUT_NUDGE.text
    history = client.get(f"/v1/conversations/{turn['conversation_id']}/purchase-intent").json()
    assert [p["stage"] for p in history["history"]] == ["browse", "purchase"]
    assert history["history"][1]["signals"]["cart_adds_net"] == 1


def test_the_checkout_nudge_is_offered_once_per_conversation(client: TestClient) -> None:
    from api.conversations.models import Conversation

    client.post("/v1/chat", json={"sender": "s8", "message": "hi"})
    event = {"event_id": "c8", "type": "add_to_cart", "session_id": "s8", "product_id": "shoe-1"}
    assert client.post("/v1/events", json=event).json()["accepted"] == 1
    first = client.post("/v1/chat", json={"sender": "s8", "message": "I want to buy it"}).json()
    assert first["messages"][-1]["text"] == CHECKOUT_NUDGE.text
    with client.app.state.services.session_factory() as session:  # type: ignore[attr-defined]
        conversation = session.get(Conversation, first["conversation_id"])
        assert conversation is not None
        conversation.purchase_stage = "browse"  # the shopper went back to browsing
        session.commit()
    again = client.post("/v1/chat", json={"sender": "s8", "message": "ok I'll buy it"}).json()
    assert again["purchase_intent"]["stage"] == "purchase"
    assert CHECKOUT_NUDGE.text not in [m["text"] for m in again["messages"]]
