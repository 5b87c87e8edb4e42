"""Retention: delete data older than a configured number of days."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from api.behaviour.models import BehaviourEvent
from api.conversations.models import Conversation, Shopper
from api.db import utcnow
from api.integrations.models import InboundDelivery, OutboxEvent
from api.privacy.rights import delete_conversations, rows_deleted

log = logging.getLogger(__name__)


def purge_older_than(session: Session, days: int) -> dict[str, int]:
    """Delete conversations untouched for `days` (with their messages), older behaviour
    events, outgoing events and delivery ids, and shoppers left with nothing."""
    if days < 1:
        raise ValueError("retention must be at least one day")
    cutoff = utcnow() - timedelta(days=days)
    old = list(session.scalars(select(Conversation.id).where(Conversation.updated_at < cutoff)))
    counts = delete_conversations(session, old)
    counts.pop("outbox_events")  # counted below with the other old outgoing events
    counts["behaviour_events"] = rows_deleted(
        session.execute(delete(BehaviourEvent).where(BehaviourEvent.occurred_at < cutoff))
    )
    counts["outbox_events"] = rows_deleted(session.execute(delete(OutboxEvent).where(OutboxEvent.created_at < cutoff)))
    counts["inbound_deliveries"] = rows_deleted(
        session.execute(delete(InboundDelivery).where(InboundDelivery.received_at < cutoff))
    )
    orphan = ~exists().where(Conversation.shopper_id == Shopper.id)
    counts["shoppers"] = rows_deleted(session.execute(delete(Shopper).where(Shopper.created_at < cutoff, orphan)))
    session.commit()
    log.info("privacy.retention.purged days=%d %s", days, " ".join(f"{k}={v}" for k, v in counts.items()))
    return counts
