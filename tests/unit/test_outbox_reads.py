"""The outbox reads the subscriptions once per transaction, not once per event."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from api.config import DEV_ADMIN_TOKEN

ADMIN = {"authorization": f"Bearer {DEV_ADMIN_TOKEN}"}


def _subscription_reads(client: TestClient, sender: str, message: str) -> tuple[int, int]:
    engine = client.app.state.services.session_factory.kw["bind"]  # type: ignore[attr-defined]
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        client.post("/v1/chat", json={"sender": sender, "message": message}).raise_for_status()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return sum("FROM subscriptions" in s for s in statements), len(statements)


def test_a_turn_reads_the_subscriptions_once_per_transaction(client: TestClient) -> None:
    client.post(
        "/v1/admin/subscriptions", json={"url": "http://127.0.0.1:9/h", "event_types": ["*"]}, headers=ADMIN
    ).raise_for_status()
    # a first turn: conversation.created and message.created, then the bot's replies
    reads, _ = _subscription_reads(client, "outbox-reads", "I'm looking for shoes")
    assert reads == 2  # the inbound message's transaction and the replies' (it was one per event: 3 here)


def test_a_subscription_made_between_turns_gets_the_next_turns_events(client: TestClient) -> None:
    from sqlalchemy import func, select

    from api.integrations.models import Delivery

    client.post("/v1/chat", json={"sender": "outbox-late", "message": "hi"}).raise_for_status()
    client.post(
        "/v1/admin/subscriptions", json={"url": "http://127.0.0.1:9/late", "event_types": ["*"]}, headers=ADMIN
    ).raise_for_status()
    client.post("/v1/chat", json={"sender": "outbox-late", "message": "I'm looking for shoes"}).raise_for_status()
    with client.app.state.services.session_factory() as session:  # type: ignore[attr-defined]
        late = session.scalar(select(func.count(Delivery.id)).where(Delivery.url == "http://127.0.0.1:9/late"))
    assert late and late >= 2  # the shopper's message and the bot's reply
