"""Write events into the outbox in the caller's transaction; fan out to their targets."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from api.db import utcnow
from api.integrations.models import Channel, Delivery, OutboxEvent, Subscription

log = logging.getLogger(__name__)
EVENT_TYPES = (
    "conversation.created",
    "message.created",
    "handoff.requested",
    "conversation.resolved",
    "purchase_intent.high",
    "cart.item_added",
    "order.cancelled",
)
CHANNEL_REPLY = "channel.reply"


def event_body(event: OutboxEvent) -> bytes:
    """Return the exact bytes POSTed for an event (the same on every attempt)."""
    created = event.created_at.isoformat() if event.created_at else utcnow().isoformat()
    body = {"id": event.id, "type": event.type, "created_at": created, "payload": event.payload}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


_SUBSCRIPTIONS = "shoptalk.active_subscriptions"


def _active_subscriptions(session: Session) -> list[tuple[str, str, tuple[str, ...]]]:
    """The active subscriptions as (id, url, event types), read once per transaction: a turn
    emits several events, and each read the table before."""
    cached = session.info.get(_SUBSCRIPTIONS)
    if cached is None:
        rows = session.scalars(select(Subscription).where(Subscription.active.is_(True)))
        cached = [(s.id, s.url, tuple(s.event_types)) for s in rows]
        session.info[_SUBSCRIPTIONS] = cached
    return cached


@event.listens_for(Session, "after_transaction_end")
def _forget_subscriptions(session: Session, transaction: SessionTransaction) -> None:
    """A new transaction reads the subscriptions again (an admin may have changed them).
    Flushes and savepoints end inner transactions: only the outermost one counts."""
    if transaction.parent is None:
        session.info.pop(_SUBSCRIPTIONS, None)


def emit(session: Session, type_: str, payload: dict[str, Any]) -> OutboxEvent | None:
    """Record an event for every active subscription to its type; nothing when none listens.

    Call inside the transaction of the change: the event commits (or rolls back) with it.
    """
    subscriptions = [s for s in _active_subscriptions(session) if type_ in s[2] or "*" in s[2]]
    if not subscriptions:
        return None
    event = OutboxEvent(type=type_, payload=payload, created_at=utcnow())
    session.add(event)
    session.flush()
    for subscription_id, url, _ in subscriptions:
        session.add(Delivery(event_id=event.id, subscription_id=subscription_id, url=url))
    return event


def emit_to_channel(session: Session, channel: Channel, payload: dict[str, Any]) -> OutboxEvent | None:
    """Queue a reply for an asynchronous channel's callback URL (signed with the channel secret)."""
    if not channel.callback_url:
        log.warning("integrations.channel.no_callback channel=%s", channel.id)
        return None
    event = OutboxEvent(type=CHANNEL_REPLY, payload=payload, created_at=utcnow())
    session.add(event)
    session.flush()
    session.add(Delivery(event_id=event.id, channel_id=channel.id, url=channel.callback_url))
    return event
