"""The outbox reads the subscriptions once per few seconds, not once per event or turn, and
writes a turn's events in one batched insert; a subscription change takes effect at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from api.config import DEV_ADMIN_TOKEN
from api.integrations import outbox
from api.integrations.models import Delivery

ADMIN = {"authorization": f"Bearer {DEV_ADMIN_TOKEN}"}


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """The outbox's clock, moved by hand."""
    at = [1000.0]
    monkeypatch.setattr(outbox, "clock", lambda: at[0])
    outbox.forget_subscriptions()
    yield at
    outbox.forget_subscriptions()


def _turn(client: TestClient, sender: str, message: str) -> list[str]:
    """The statements one turn ran."""
    engine = client.app.state.services.session_factory.kw["bind"]  # type: ignore[attr-defined]
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        client.post("/v1/chat", json={"sender": sender, "message": message}).raise_for_status()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return statements


def _subscribe(client: TestClient, url: str) -> str:
    r = client.post("/v1/admin/subscriptions", json={"url": url, "event_types": ["*"]}, headers=ADMIN)
    r.raise_for_status()
    return str(r.json()["id"])


def _deliveries(client: TestClient, url: str) -> int:
    with client.app.state.services.session_factory() as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count(Delivery.id)).where(Delivery.url == url)) or 0)


def _reads(statements: list[str]) -> int:
    return sum("FROM subscriptions" in s for s in statements)


def test_turns_read_the_subscriptions_once_per_ttl(client: TestClient, now: list[float]) -> None:
    _subscribe(client, "http://127.0.0.1:9/h")
    assert _reads(_turn(client, "outbox-reads", "I'm looking for shoes")) == 1  # it was one per transaction: 2
    assert _reads(_turn(client, "outbox-reads", "show me cheaper ones")) == 0
    now[0] += outbox.SUBSCRIPTIONS_TTL_S  # what another replica changed is read again after the TTL
    assert _reads(_turn(client, "outbox-reads", "thanks")) == 1


def test_a_turns_events_take_one_insert_and_their_deliveries_another(client: TestClient, now: list[float]) -> None:
    _subscribe(client, "http://127.0.0.1:9/a")
    _subscribe(client, "http://127.0.0.1:9/b")
    # a first turn: conversation.created and message.created, then the bot's replies
    statements = _turn(client, "outbox-batch", "I'm looking for shoes")
    assert sum(s.startswith("INSERT INTO outbox_events") for s in statements) == 2  # one per transaction
    assert sum(s.startswith("INSERT INTO deliveries") for s in statements) == 2
    assert _deliveries(client, "http://127.0.0.1:9/a") == _deliveries(client, "http://127.0.0.1:9/b") >= 3


def test_a_subscription_made_between_turns_gets_the_next_turns_events(client: TestClient, now: list[float]) -> None:
    _turn(client, "outbox-late", "hi")  # the (empty) subscriptions are cached now
    _subscribe(client, "http://127.0.0.1:9/late")
    _turn(client, "outbox-late", "I'm looking for shoes")
    assert _deliveries(client, "http://127.0.0.1:9/late") >= 2  # the shopper's message and the bot's reply


def test_a_deleted_subscription_gets_nothing_more(client: TestClient, now: list[float]) -> None:
    sid = _subscribe(client, "http://127.0.0.1:9/gone")
    _turn(client, "outbox-gone", "hi")
    before = _deliveries(client, "http://127.0.0.1:9/gone")
    assert before >= 2
    client.delete(f"/v1/admin/subscriptions/{sid}", headers=ADMIN).raise_for_status()
    _turn(client, "outbox-gone", "I'm looking for shoes")
    assert _deliveries(client, "http://127.0.0.1:9/gone") == before


def test_a_rolled_back_change_is_never_cached(client: TestClient, now: list[float]) -> None:
    from api.integrations.models import Subscription

    _turn(client, "outbox-rollback", "hi")  # no subscriptions cached
    factory = client.app.state.services.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        session.add(Subscription(url="http://127.0.0.1:9/never", event_types=["*"], secret_sealed="x"))
        assert outbox._active_subscriptions(session)  # this transaction sees its own change
        session.rollback()
    _turn(client, "outbox-rollback", "I'm looking for shoes")
    assert _deliveries(client, "http://127.0.0.1:9/never") == 0
