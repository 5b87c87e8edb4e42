"""Write events into the outbox in the caller's transaction; fan out to their targets."""

from __future__ import annotations

import json
import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from api.db import new_id, utcnow
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


SUBSCRIPTIONS_TTL_S = 5.0  # how soon a subscription changed on another API replica takes effect here
Active = list[tuple[str, str, tuple[str, ...]]]  # (id, url, event types) of each active subscription


@dataclass
class _Cached:
    rows: Active
    read_at: float


_cache: weakref.WeakKeyDictionary[Any, _Cached] = weakref.WeakKeyDictionary()  # per database engine
_cache_lock = threading.Lock()
_CHANGED = "shoptalk.subscriptions_changed"
clock: Callable[[], float] = time.monotonic  # tests set their own


def _active_subscriptions(session: Session) -> Active:
    """The active subscriptions, read from the table at most once per SUBSCRIPTIONS_TTL_S per
    database: a turn emits several events, and every turn of every shopper used to read them.
    A change this process commits clears the cache at once; a transaction that changed them
    reads its own view and keeps it to itself (it may still roll back)."""
    bind = session.get_bind()
    with _cache_lock:
        cached = _cache.get(bind)
    changed_here = bool(session.info.get(_CHANGED)) or _writes_subscriptions(session)
    if cached is not None and not changed_here and clock() - cached.read_at < SUBSCRIPTIONS_TTL_S:
        return cached.rows
    rows = session.scalars(select(Subscription).where(Subscription.active.is_(True)))
    fresh = _Cached([(s.id, s.url, tuple(s.event_types)) for s in rows], clock())
    if not session.info.get(_CHANGED):  # (the read's autoflush may have just marked it)
        with _cache_lock:
            _cache[bind] = fresh
    return fresh.rows


def forget_subscriptions(bind: Any = None) -> None:
    """Drop the cached subscriptions (of one engine, or of all)."""
    with _cache_lock:
        if bind is None:
            _cache.clear()
        else:
            _cache.pop(bind, None)


def _writes_subscriptions(session: Session) -> bool:
    return any(isinstance(o, Subscription) for o in (*session.new, *session.dirty, *session.deleted))


@event.listens_for(Session, "after_flush")
def _note_subscription_changes(session: Session, _context: Any) -> None:
    """A flush that writes a subscription marks the transaction; its end clears the cache."""
    if _writes_subscriptions(session):
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_changed_subscriptions(session: Session, transaction: SessionTransaction) -> None:
    """When the outermost transaction that changed subscriptions ends (committed or rolled
    back; savepoints are inner ones), the next read goes to the table."""
    if transaction.parent is None and session.info.pop(_CHANGED, False):
        forget_subscriptions(session.get_bind())


def emit(session: Session, type_: str, payload: dict[str, Any]) -> OutboxEvent | None:
    """Record an event for every active subscription to its type; nothing when none listens.

    Call inside the transaction of the change: the event commits (or rolls back) with it. It
    is written at the transaction's flush with the others, so a turn's events and deliveries
    take one batched insert each.
    """
    subscriptions = [s for s in _active_subscriptions(session) if type_ in s[2] or "*" in s[2]]
    if not subscriptions:
        return None
    event = OutboxEvent(id=new_id(), type=type_, payload=payload, created_at=utcnow())
    session.add(event)
    for subscription_id, url, _ in subscriptions:
        session.add(Delivery(event=event, subscription_id=subscription_id, url=url))
    return event


def emit_to_channel(session: Session, channel: Channel, payload: dict[str, Any]) -> OutboxEvent | None:
    """Queue a reply for an asynchronous channel's callback URL (signed with the channel secret)."""
    if not channel.callback_url:
        log.warning("integrations.channel.no_callback channel=%s", channel.id)
        return None
    event = OutboxEvent(id=new_id(), type=CHANNEL_REPLY, payload=payload, created_at=utcnow())
    session.add(event)
    session.add(Delivery(event=event, channel_id=channel.id, url=channel.callback_url))
    return event
