"""The staff inbox: conversations filtered, sorted and paginated in the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Message, Shopper
from api.review.models import ConversationTag
from api.review.schemas import InboxFilter, InboxPage, InboxRow
from api.turns.service import FALLBACK_INTENTS

FALLBACK = sorted(FALLBACK_INTENTS)


def _message_exists(*conditions: Any) -> Any:
    return exists().where(Message.conversation_id == Conversation.id, *conditions)


def _conditions(flt: InboxFilter) -> list[Any]:
    where: list[Any] = []
    if flt.status:
        where.append(Conversation.status.in_(flt.status))
    if flt.channel:
        where.append(Conversation.channel.in_(flt.channel))
    if flt.language:
        where.append(Conversation.language.in_(flt.language))
    if flt.stage:
        where.append(Conversation.purchase_stage == flt.stage)
    if flt.since:
        where.append(Conversation.updated_at >= flt.since)
    if flt.until:
        where.append(Conversation.updated_at < flt.until)
    if flt.intent:
        where.append(_message_exists(Message.author == "shopper", Message.intent == flt.intent))
    if flt.confidence_below is not None:
        where.append(_message_exists(Message.author == "shopper", Message.confidence < flt.confidence_below))
    if flt.fallback is not None:
        fell_back = _message_exists(Message.author == "shopper", Message.intent.in_(FALLBACK))
        where.append(fell_back if flt.fallback else ~fell_back)
    if flt.handed_off is not None:
        where.append(
            Conversation.handed_off_at.is_not(None) if flt.handed_off else Conversation.handed_off_at.is_(None)
        )
    if flt.tag:
        where.append(
            exists().where(ConversationTag.conversation_id == Conversation.id, ConversationTag.tag == flt.tag.lower())
        )
    if flt.q and flt.q.strip():
        words = flt.q.strip().split()[:8]
        where.append(and_(*(_message_exists(Message.text.ilike(f"%{_escape(w)}%", escape="\\")) for w in words)))
    return where


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _min_confidence() -> Any:
    """The conversation's lowest shopper-message confidence, per row of the outer query."""
    return (
        select(func.min(Message.confidence))
        .where(Message.conversation_id == Conversation.id, Message.author == "shopper")
        .correlate(Conversation)
        .scalar_subquery()
    )


def inbox_page(*, session: Session, flt: InboxFilter) -> InboxPage:
    """Return the conversations matching the filter, one page, with per-conversation figures.

    The page is chosen first; message counts are then aggregated for its rows only, so the
    cost follows the page size, not the number of messages in the database. The lowest
    confidence (shown, and the confidence sort) is a correlated minimum read per
    conversation from the (conversation_id, seq) index, never the whole message table.
    """
    where = _conditions(flt)
    total = session.scalar(select(func.count()).select_from(Conversation).where(*where)) or 0
    min_confidence = _min_confidence()
    order = {
        "updated_desc": Conversation.updated_at.desc(),
        "updated_asc": Conversation.updated_at.asc(),
        "created_desc": Conversation.created_at.desc(),
        "confidence_asc": func.coalesce(min_confidence, 2.0).asc(),
    }[flt.sort]
    rows = session.execute(
        select(Conversation, Shopper.external_id, min_confidence)
        .join(Shopper, Shopper.id == Conversation.shopper_id)
        .where(*where)
        .order_by(order, Conversation.id)
        .limit(flt.limit)
        .offset(flt.offset)
    ).all()
    ids = [r[0].id for r in rows]
    messages, fallbacks = _counts_of(session, ids)
    tags = _tags_of(session, ids)
    last_texts, last_intents = _last_messages(session, ids)
    return InboxPage(
        total=total,
        rows=[
            InboxRow(
                id=c.id,
                shopper=external_id,
                channel=c.channel,
                language=c.language,
                status=c.status,
                assignee=c.assignee,
                purchase_stage=c.purchase_stage,
                purchase_score=c.purchase_score,
                messages=messages.get(c.id, 0),
                min_confidence=lowest,
                fallbacks=fallbacks.get(c.id, 0),
                last_intent=last_intents.get(c.id),
                last_text=last_texts.get(c.id, ""),
                tags=tags.get(c.id, []),
                handed_off=c.handed_off_at is not None,
                created_at=c.created_at,
                updated_at=c.updated_at,
            )
            for c, external_id, lowest in rows
        ],
    )


def _counts_of(session: Session, ids: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Return the message count and the shopper fallback count per conversation of the page."""
    messages: dict[str, int] = {}
    fallbacks: dict[str, int] = {}
    if ids:
        fell_back = and_(Message.author == "shopper", Message.intent.in_(FALLBACK))
        for cid, count, fallback_count in session.execute(
            select(Message.conversation_id, func.count(), func.sum(case((fell_back, 1), else_=0)))
            .where(Message.conversation_id.in_(ids))
            .group_by(Message.conversation_id)
        ):
            messages[cid], fallbacks[cid] = int(count), int(fallback_count or 0)
    return messages, fallbacks


def _tags_of(session: Session, ids: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if ids:
        for cid, tag in session.execute(
            select(ConversationTag.conversation_id, ConversationTag.tag)
            .where(ConversationTag.conversation_id.in_(ids))
            .order_by(ConversationTag.tag)
        ):
            out.setdefault(cid, []).append(tag)
    return out


def _last_messages(session: Session, ids: list[str]) -> tuple[dict[str, str], dict[str, str | None]]:
    """Return each conversation's last message text (shortened) and last shopper intent."""
    texts: dict[str, str] = {}
    intents: dict[str, str | None] = {}
    if not ids:
        return texts, intents
    last = (
        select(Message.conversation_id, func.max(Message.seq).label("seq"))
        .where(Message.conversation_id.in_(ids))
        .group_by(Message.conversation_id)
        .subquery()
    )
    for cid, text in session.execute(
        select(Message.conversation_id, Message.text).join(
            last, and_(last.c.conversation_id == Message.conversation_id, last.c.seq == Message.seq)
        )
    ):
        texts[cid] = text if len(text) <= 140 else text[:139] + "…"
    last_in = (
        select(Message.conversation_id, func.max(Message.seq).label("seq"))
        .where(Message.conversation_id.in_(ids), Message.author == "shopper", Message.intent.is_not(None))
        .group_by(Message.conversation_id)
        .subquery()
    )
    for cid, intent in session.execute(
        select(Message.conversation_id, Message.intent).join(
            last_in, and_(last_in.c.conversation_id == Message.conversation_id, last_in.c.seq == Message.seq)
        )
    ):
        intents[cid] = intent
    return texts, intents
