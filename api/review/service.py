"""Review service: one conversation for staff, tags, private notes, and NLU corrections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.behaviour.models import BehaviourEvent
from api.behaviour.service import recent_events
from api.conversations import service as conversations
from api.conversations.models import Conversation, Message
from api.errors import DomainError, NotFound
from api.review.models import Annotation, ConversationNote, ConversationTag
from api.review.schemas import (
    ConversationDetail,
    CorrectionIn,
    CorrectionOut,
    NoteOut,
    StaffMessageOut,
    TimelineEvent,
)
from api.review.taxonomy import Taxonomy

TIMELINE_LIMIT = 200


class InvalidCorrection(DomainError):
    """A correction that names an unknown intent or entity, or spans outside the text."""

    status_code = 422


def tags_of(session: Session, conversation_id: str) -> list[str]:
    """Return the conversation's tags, sorted."""
    return list(
        session.scalars(
            select(ConversationTag.tag)
            .where(ConversationTag.conversation_id == conversation_id)
            .order_by(ConversationTag.tag)
        )
    )


def add_tag(*, session: Session, conversation: Conversation, tag: str, author: str) -> bool:
    """Tag the conversation; return False when it already had the tag."""
    if tag in tags_of(session, conversation.id):
        return False
    session.add(ConversationTag(conversation_id=conversation.id, tag=tag, created_by=author))
    return True


def remove_tag(*, session: Session, conversation: Conversation, tag: str) -> bool:
    """Remove a tag; return False when the conversation did not have it."""
    result = session.execute(
        delete(ConversationTag).where(ConversationTag.conversation_id == conversation.id, ConversationTag.tag == tag)
    )
    return bool(getattr(result, "rowcount", 0))


def add_note(*, session: Session, conversation: Conversation, text: str, author: str) -> ConversationNote:
    """Add a private note to the conversation."""
    note = ConversationNote(conversation_id=conversation.id, text=text.strip(), author=author)
    session.add(note)
    session.flush()
    return note


def latest_corrections(session: Session, message_ids: list[str]) -> dict[str, Annotation]:
    """Return the newest correction of each message."""
    out: dict[str, Annotation] = {}
    if message_ids:
        for a in session.scalars(
            select(Annotation).where(Annotation.message_id.in_(message_ids)).order_by(Annotation.id)
        ):
            out[a.message_id] = a
    return out


def correct_message(
    *, session: Session, message_id: str, correction: CorrectionIn, taxonomy: Taxonomy, author: str
) -> Annotation:
    """Store what a shopper message really meant, as training data for the next model."""
    message = session.get(Message, message_id)
    if message is None:
        raise NotFound(f"message {message_id} not found")
    if message.author != "shopper":
        raise InvalidCorrection("only shopper messages can be corrected (bot and agent messages carry no NLU)")
    if correction.intent not in taxonomy.stages:
        raise InvalidCorrection(f"unknown intent '{correction.intent}'; known: {', '.join(sorted(taxonomy.stages))}")
    entities: list[dict[str, Any]]
    if correction.entities is None:
        entities = [
            {k: e[k] for k in ("entity", "start", "end", "value") if k in e}
            for e in message.entities or []
            if isinstance(e.get("start"), int) and e.get("entity") in taxonomy.entities
        ]
    else:
        entities = [
            _checked_entity(e.model_dump(exclude_none=True), message.text, taxonomy) for e in correction.entities
        ]
    annotation = Annotation(
        message_id=message.id,
        conversation_id=message.conversation_id,
        text=message.text,
        predicted_intent=message.intent,
        predicted_confidence=message.confidence,
        intent=correction.intent,
        entities=entities,
        author=author,
    )
    session.add(annotation)
    session.flush()
    return annotation


def _checked_entity(entity: dict[str, Any], text: str, taxonomy: Taxonomy) -> dict[str, Any]:
    if entity["entity"] not in taxonomy.entities:
        raise InvalidCorrection(f"unknown entity '{entity['entity']}'; known: {', '.join(taxonomy.entities)}")
    if not entity["start"] < entity["end"] <= len(text):
        raise InvalidCorrection(
            f"entity span {entity['start']}..{entity['end']} is outside the message ({len(text)} characters)"
        )
    entity.setdefault("value", text[entity["start"] : entity["end"]])
    return entity


def corrections_since(session: Session, since: datetime | None) -> list[Annotation]:
    """Return the newest correction of every corrected message (made at or after `since`), oldest first."""
    query = select(Annotation).order_by(Annotation.id)
    if since is not None:
        query = query.where(Annotation.created_at >= since)
    latest: dict[str, Annotation] = {}
    for a in session.scalars(query):
        latest[a.message_id] = a
    return list(latest.values())


def conversation_detail(*, session: Session, conversation_id: str) -> ConversationDetail:
    """Return the transcript with NLU and corrections, tags, notes, purchase intent and behaviour."""
    c = conversations.get_conversation(session=session, conversation_id=conversation_id)
    messages = conversations.list_messages(session=session, conversation_id=c.id)
    fixes = latest_corrections(session, [m.id for m in messages])
    verified = c.shopper.customer_id if c.shopper.customer_verified_at is not None else None
    keys = conversations.shopper_keys(session, c.shopper.external_id, verified)
    events = recent_events(session, keys, limit=TIMELINE_LIMIT)
    clicks = session.scalar(
        select(func.count()).where(BehaviourEvent.conversation_id == c.id, BehaviourEvent.source == "recommendation")
    )
    notes = session.scalars(
        select(ConversationNote).where(ConversationNote.conversation_id == c.id).order_by(ConversationNote.id)
    )
    return ConversationDetail(
        id=c.id,
        shopper=c.shopper.external_id,
        customer_id=verified,
        channel=c.channel,
        language=c.language,
        status=c.status,
        assignee=c.assignee,
        handed_off_at=c.handed_off_at,
        created_at=c.created_at,
        updated_at=c.updated_at,
        tags=tags_of(session, c.id),
        notes=[NoteOut(id=n.id, author=n.author, text=n.text, created_at=n.created_at) for n in notes],
        messages=[_staff_message(m, fixes.get(m.id)) for m in messages],
        purchase_intent=conversations.purchase_intent_history(session=session, conversation_id=c.id),
        behaviour=[
            TimelineEvent(
                type=e.type,
                product_id=e.product_id,
                query=e.query,
                source=e.source,
                price=e.price,
                occurred_at=e.occurred_at,
            )
            for e in events
        ],
        recommendation_clicks=clicks or 0,
    )


def _staff_message(message: Message, fix: Annotation | None) -> StaffMessageOut:
    out = conversations.to_out(message)
    correction = (
        CorrectionOut(intent=fix.intent, entities=fix.entities or [], author=fix.author, created_at=fix.created_at)
        if fix
        else None
    )
    return StaffMessageOut(**out.model_dump(), correction=correction)
