"""Write events into the outbox in the caller's transaction; fan out to their targets."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import utcnow
from api.integrations.models import Channel, Delivery, OutboxEvent, Subscription

log = logging.getLogger(__name__)
EVENT_TYPES = (
    "conversation.created",
    "message.created",
    "handoff.requested",
    "conversation.resolved",
    "purchase_intent.high",
)
CHANNEL_REPLY = "channel.reply"


def event_body(event: OutboxEvent) -> bytes:
    """Return the exact bytes POSTed for an event (the same on every attempt)."""
    created = event.created_at.isoformat() if event.created_at else utcnow().isoformat()
    body = {"id": event.id, "type": event.type, "created_at": created, "payload": event.payload}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def emit(session: Session, type_: str, payload: dict[str, Any]) -> OutboxEvent | None:
    """Record an event for every active subscription to its type; nothing when none listens.

    Call inside the transaction of the change: the event commits (or rolls back) with it.
    """
    subscriptions = [
        s for s in session.scalars(select(Subscription).where(Subscription.active.is_(True)))
        if type_ in s.event_types or "*" in s.event_types
    ]  # fmt: skip
    if not subscriptions:
        return None
    event = OutboxEvent(type=type_, payload=payload, created_at=utcnow())
    session.add(event)
    session.flush()
    for subscription in subscriptions:
        session.add(Delivery(event_id=event.id, subscription_id=subscription.id, url=subscription.url))
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
