"""Data rights: export everything about one shopper, or delete all of it.

"One shopper" is every session linked to the same customer id (see shopper identify).
Covered: shoppers, conversations, messages, purchase-intent history, staff tags, notes and
NLU corrections of those conversations, behaviour events,
outgoing events that mention the shopper's conversations (and their deliveries), and the
Rasa trackers of those conversations (through the dialogue engine). The product index
holds no shopper data; the audit log names a shopper only by a one-way pseudonym.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from api.behaviour.models import BehaviourEvent
from api.conversations.models import Conversation, Message, PurchaseIntentSnapshot, Shopper
from api.conversations.service import shopper_keys
from api.errors import NotFound
from api.integrations.models import OutboxEvent
from api.review.models import Annotation, ConversationNote, ConversationTag
from api.staff.models import AuditEntry

REVIEW_TABLES = (Annotation, ConversationNote, ConversationTag)


def pseudonym(key: str) -> str:
    """Return a one-way stand-in for a shopper id, for the audit log."""
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()[:24]


def _scope(session: Session, key: str) -> tuple[list[str], list[Shopper], list[Conversation]]:
    keys = shopper_keys(session, key, None)
    customer = session.scalar(select(Shopper.customer_id).where(Shopper.customer_id == key).limit(1))
    if customer:
        keys = sorted(set(keys) | set(shopper_keys(session, None, customer)))
    shoppers = list(
        session.scalars(select(Shopper).where(or_(Shopper.external_id.in_(keys), Shopper.customer_id.in_(keys))))
    )
    conversations = list(
        session.scalars(select(Conversation).where(Conversation.shopper_id.in_([s.id for s in shoppers])))
    ) if shoppers else []  # fmt: skip
    return keys, shoppers, conversations


def _events_query(keys: list[str]) -> Any:
    return or_(BehaviourEvent.session_id.in_(keys), BehaviourEvent.customer_id.in_(keys))


def _row(obj: Any) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__mapper__.column_attrs}


def outbox_events_about(session: Session, conversation_ids: list[str]) -> list[str]:
    """Return the ids of outgoing events whose payload names one of the conversations."""
    wanted = set(conversation_ids)
    if not wanted:
        return []
    rows = session.execute(select(OutboxEvent.id, OutboxEvent.payload)).all()
    return [i for i, payload in rows if isinstance(payload, dict) and payload.get("conversation_id") in wanted]


def delete_conversations(session: Session, conversation_ids: list[str]) -> dict[str, int]:
    """Delete conversations with their messages, purchase-intent history and the outgoing
    events that mention them (in the caller's transaction); return the counts."""
    counts = {"conversations": len(conversation_ids), "messages": 0, "outbox_events": 0}
    if not conversation_ids:
        return counts
    outbox = outbox_events_about(session, conversation_ids)
    if outbox:
        counts["outbox_events"] = rows_deleted(session.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(outbox))))
    for table in REVIEW_TABLES:
        session.execute(delete(table).where(table.conversation_id.in_(conversation_ids)))
    message_ids = list(session.scalars(select(Message.id).where(Message.conversation_id.in_(conversation_ids))))
    pseudonymise_audit(session, [*conversation_ids, *message_ids])
    counts["messages"] = rows_deleted(
        session.execute(delete(Message).where(Message.conversation_id.in_(conversation_ids)))
    )
    session.execute(delete(PurchaseIntentSnapshot).where(PurchaseIntentSnapshot.conversation_id.in_(conversation_ids)))
    session.execute(delete(Conversation).where(Conversation.id.in_(conversation_ids)))
    return counts


def pseudonymise_audit(session: Session, target_ids: list[str]) -> None:
    """Keep the audit trail of deleted things, but no longer name them (one-way pseudonyms)."""
    for start in range(0, len(target_ids), 500):
        chunk = target_ids[start : start + 500]
        for entry in session.scalars(select(AuditEntry).where(AuditEntry.target_id.in_(chunk))):
            entry.target_id = pseudonym(entry.target_id)


def export_shopper(session: Session, key: str) -> dict[str, Any]:
    """Return everything stored about the shopper, as JSON-ready data."""
    keys, shoppers, conversations = _scope(session, key)
    events = list(session.scalars(select(BehaviourEvent).where(_events_query(keys)))) if keys else []
    if not shoppers and not events:
        raise NotFound(f"nothing is stored about {key}")
    out_conversations = []
    for c in conversations:
        messages = session.scalars(select(Message).where(Message.conversation_id == c.id).order_by(Message.seq))
        snapshots = session.scalars(
            select(PurchaseIntentSnapshot)
            .where(PurchaseIntentSnapshot.conversation_id == c.id)
            .order_by(PurchaseIntentSnapshot.id)
        )
        review = {
            table.__tablename__: [_row(r) for r in session.scalars(select(table).where(table.conversation_id == c.id))]
            for table in REVIEW_TABLES
        }
        out_conversations.append(
            {
                **_row(c),
                "messages": [_row(m) for m in messages],
                "purchase_intent": [_row(p) for p in snapshots],
                **review,
            }
        )
    return {
        "keys": keys,
        "shoppers": [_row(s) for s in shoppers],
        "conversations": out_conversations,
        "behaviour_events": [_row(e) for e in events],
    }


def delete_shopper(session: Session, key: str) -> dict[str, Any]:
    """Delete everything stored about the shopper; return what was deleted (counts, conversation ids)."""
    keys, shoppers, conversations = _scope(session, key)
    conversation_ids = [c.id for c in conversations]
    counts = {
        **delete_conversations(session, conversation_ids),
        "behaviour_events": rows_deleted(session.execute(delete(BehaviourEvent).where(_events_query(keys))))
        if keys
        else 0,
        "shoppers": len(shoppers),
    }
    if shoppers:
        session.execute(delete(Shopper).where(Shopper.id.in_([s.id for s in shoppers])))
    session.commit()
    if not any(counts.values()):
        raise NotFound(f"nothing is stored about {key}")
    return {"deleted": counts, "conversation_ids": conversation_ids}


def rows_deleted(result: object) -> int:
    """Return how many rows a DELETE removed."""
    return int(getattr(result, "rowcount", 0) or 0)
