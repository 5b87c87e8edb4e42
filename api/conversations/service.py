"""Conversation service: shoppers, conversations and messages in the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from api.conversations.models import Conversation, Message, PurchaseIntentSnapshot, Shopper
from api.conversations.schemas import (
    MessageOut,
    NluOut,
    ProductCard,
    PurchaseIntentHistory,
    PurchaseIntentPoint,
    QuickReply,
)
from api.db import new_id, utcnow
from api.dialogue.port import BotMessage, NluResult
from api.errors import ConversationNotFound, ShopperConflict
from api.integrations.outbox import emit

OPEN_STATUSES = ("bot", "waiting_for_agent", "agent")


def get_or_create_shopper(*, session: Session, external_id: str) -> Shopper:
    """Return the shopper with this sender id, creating it on first contact."""
    shopper = session.scalar(select(Shopper).where(Shopper.external_id == external_id))
    if shopper is None:
        shopper = Shopper(external_id=external_id)
        session.add(shopper)
        session.flush()
    return shopper


def identify(*, session: Session, session_id: str, customer_id: str) -> list[str]:
    """Link a session to the shop's customer id; return all the customer's sessions.

    Call it only once the shop vouched for the link (api/identity/verification.py, or the
    shop's API key). From then on the shopper's history (conversations, behaviour) is
    read across every linked session. Re-linking a session to another customer is refused.
    """
    shopper = get_or_create_shopper(session=session, external_id=session_id)
    if shopper.customer_verified_at is not None and shopper.customer_id != customer_id:
        raise ShopperConflict(f"session {session_id} is already linked to another customer")
    shopper.customer_id = customer_id
    shopper.customer_verified_at = shopper.customer_verified_at or utcnow()
    session.commit()
    return list(session.scalars(_verified_sessions(customer_id).order_by(Shopper.created_at)))


def _verified_sessions(customer_id: str) -> Select[Any]:
    return select(Shopper.external_id).where(
        Shopper.customer_id == customer_id, Shopper.customer_verified_at.is_not(None)
    )


def verified_customer(session: Session, session_id: str) -> str | None:
    """Return the customer a session is verifiably linked to, if any."""
    return session.scalar(
        select(Shopper.customer_id).where(Shopper.external_id == session_id, Shopper.customer_verified_at.is_not(None))
    )


def shopper_of_conversation(session: Session, conversation_id: str) -> str | None:
    """Return the sender id of the conversation's shopper (None when there is no such conversation)."""
    return session.scalar(
        select(Shopper.external_id)
        .join(Conversation, Conversation.shopper_id == Shopper.id)
        .where(Conversation.id == conversation_id)
    )


def shopper_exists(session: Session, external_id: str) -> bool:
    """True when a shopper with this sender id has been seen."""
    return session.scalar(select(Shopper.id).where(Shopper.external_id == external_id)) is not None


def shopper_keys(session: Session, session_id: str | None, customer_id: str | None) -> list[str]:
    """Return every id the shopper's history is stored under (sessions merged on a verified login).

    A session's own id always counts; other sessions count only through a customer link
    the shop verified, so nobody reads another customer's history by claiming their id.
    """
    keys: set[str] = {k for k in (session_id, customer_id) if k}
    if session_id and not customer_id:
        customer_id = verified_customer(session, session_id)
        if customer_id:
            keys.add(customer_id)
    if customer_id:
        keys.update(session.scalars(_verified_sessions(customer_id)))
    return sorted(keys)


def keys_of(session: Session, shopper: Shopper) -> list[str]:
    """`shopper_keys` of a shopper already read: no query unless the shop verified a customer link."""
    if shopper.customer_verified_at is None or not shopper.customer_id:
        return [shopper.external_id]
    return shopper_keys(session, shopper.external_id, shopper.customer_id)


def _open_on(channel: str) -> ColumnElement[bool]:
    """A conversation open on the channel (its shopper's is matched apart)."""
    return and_(Conversation.channel == channel, Conversation.status.in_(OPEN_STATUSES))


def find_open_conversation(*, session: Session, shopper: Shopper, channel: str) -> Conversation | None:
    """Return the shopper's most recent open conversation on the channel, if any."""
    return session.scalar(
        select(Conversation)
        .where(Conversation.shopper_id == shopper.id, _open_on(channel))
        .order_by(Conversation.updated_at.desc())
        .limit(1)
    )


def open_for_sender(
    *, session: Session, sender: str, channel: str, channel_id: str | None = None
) -> tuple[Shopper, Conversation]:
    """Return the sender's shopper and open conversation on the channel, read in one query
    (a turn's first read), creating either on first contact."""
    row = session.execute(
        select(Shopper, Conversation)
        .outerjoin(Conversation, and_(Conversation.shopper_id == Shopper.id, _open_on(channel)))
        .where(Shopper.external_id == sender)
        .order_by(Conversation.updated_at.desc())  # as find_open_conversation
        .limit(1)
    ).first()
    if row is None:
        shopper = get_or_create_shopper(session=session, external_id=sender)
        return shopper, _start_conversation(session, shopper, channel, channel_id)
    shopper, conversation = row
    return shopper, conversation or _start_conversation(session, shopper, channel, channel_id)


def _start_conversation(session: Session, shopper: Shopper, channel: str, channel_id: str | None) -> Conversation:
    conversation = Conversation(id=new_id(), shopper_id=shopper.id, channel=channel, channel_id=channel_id, last_seq=0)
    session.add(conversation)  # written with the turn's first flush, its event with it
    emit(session, "conversation.created", {"conversation_id": conversation.id, "channel": channel})
    return conversation


def get_conversation(*, session: Session, conversation_id: str) -> Conversation:
    """Return a conversation or raise ConversationNotFound."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise ConversationNotFound(f"conversation {conversation_id} not found")
    return conversation


_COLUMNS = frozenset(a.key for a in Conversation.__mapper__.column_attrs)


def take_seqs(session: Session, conversation: Conversation, n: int = 1) -> int:
    """Reserve the conversation's next `n` sequence numbers; return the first.

    One `UPDATE ... RETURNING`, atomic under the row's lock, so concurrent writers (a second
    tab, an agent, the recovery job, another replica) never take the same number. The new
    `last_seq` is also at least the newest stored message's seq, so a writer that did not
    keep it (an older replica during a rolling upgrade) cannot make numbers clash. The
    conversation's other pending changes go out in the same statement."""
    state = inspect(conversation)
    if not state.persistent:  # created in this transaction: nobody else can write to it yet
        first = (conversation.last_seq or 0) + 1
        conversation.last_seq = first + n - 1
        return first
    newest = (
        select(func.coalesce(func.max(Message.seq), 0))
        .where(Message.conversation_id == conversation.id)
        .scalar_subquery()
    )
    floor = case((newest > Conversation.last_seq, newest), else_=Conversation.last_seq)
    pending = {a.key: a.value for a in state.attrs if a.key in _COLUMNS and a.history.has_changes()}
    pending.pop("last_seq", None)
    with session.no_autoflush:
        last = session.execute(
            update(Conversation)
            .where(Conversation.id == conversation.id)
            .values(last_seq=floor + n, **pending)
            .returning(Conversation.last_seq)
            .execution_options(synchronize_session=False)
        ).scalar_one()
    for key, value in {**pending, "last_seq": last}.items():
        set_committed_value(conversation, key, value)  # written: the flush has nothing left to send
    return int(last) - n + 1


def find_turn(*, session: Session, conversation: Conversation, client_id: str) -> list[Message] | None:
    """Return a turn already stored for this client message id (the message and its replies)."""
    inbound = session.scalar(
        select(Message).where(Message.conversation_id == conversation.id, Message.client_id == client_id)
    )
    if inbound is None:
        return None
    later = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation.id, Message.seq > inbound.seq)
        .order_by(Message.seq)
    )
    replies = []
    for message in later:
        if message.author == "shopper":
            break
        replies.append(message)
    return [inbound, *replies]


def add_shopper_message(
    *,
    session: Session,
    conversation: Conversation,
    text: str,
    client_id: str | None = None,
    language: str | None = None,
) -> Message:
    """Store the shopper's message (status 'received') and return it."""
    conversation.updated_at = utcnow()  # written with the reservation of its number
    message = Message(
        id=new_id(),
        conversation_id=conversation.id,
        client_id=client_id,
        language=language,
        seq=take_seqs(session, conversation),
        direction="in",
        author="shopper",
        text=text,
        status="received",
    )
    session.add(message)
    emit(session, "message.created", message_event(conversation, message))
    return message


def annotate(*, message: Message, nlu: NluResult | None, status: str, latency_ms: float) -> None:
    """Record what the NLU understood and how the turn went."""
    message.status = status
    message.latency_ms = latency_ms
    if nlu is not None:
        message.intent = nlu.intent
        message.confidence = nlu.confidence
        message.entities = nlu.entities
        message.stage = nlu.stage
        message.stage_score = nlu.stage_score


def add_reply(*, session: Session, conversation: Conversation, reply: BotMessage, author: str = "bot") -> Message:
    """Store one outgoing message with its rich content."""
    return add_replies(session=session, conversation=conversation, replies=[reply], author=author)[0]


def add_replies(
    *, session: Session, conversation: Conversation, replies: list[BotMessage], author: str = "bot"
) -> list[Message]:
    """Store outgoing messages in order, their numbers reserved together."""
    if not replies:
        return []
    first = take_seqs(session, conversation, len(replies))
    stored = []
    for seq, reply in enumerate(replies, start=first):
        content: dict[str, Any] = {}
        if reply.quick_replies:
            content["quick_replies"] = [q.model_dump() for q in reply.quick_replies]
        if reply.products:
            content["products"] = [p.model_dump() for p in reply.products]
        message = Message(
            id=new_id(),
            conversation_id=conversation.id,
            seq=seq,
            direction="out",
            author=author,
            text=reply.text,
            content=content or None,
            status="sent",
            language=conversation.language,
        )
        session.add(message)
        emit(session, "message.created", message_event(conversation, message))
        stored.append(message)
    return stored


def message_event(conversation: Conversation, message: Message) -> dict[str, Any]:
    """Return the payload of a message.created event."""
    return {
        "conversation_id": conversation.id,
        "channel": conversation.channel,
        "message_id": message.id,
        "seq": message.seq,
        "author": message.author,
        "text": message.text,
        "language": message.language,
        "products": (message.content or {}).get("products", []),
    }


def to_out(message: Message) -> MessageOut:
    """Return the API view of a stored message."""
    content = message.content or {}
    nlu = None
    if message.author == "shopper" and message.intent is not None:
        nlu = NluOut(
            intent=message.intent,
            confidence=message.confidence,
            entities=message.entities or [],
            stage=message.stage,
            stage_score=message.stage_score,
        )
    return MessageOut(
        id=message.id,
        seq=message.seq,
        author=message.author,  # type: ignore[arg-type]
        text=message.text,
        quick_replies=[QuickReply(**q) for q in content.get("quick_replies", [])],
        products=[ProductCard(**p) for p in content.get("products", [])],
        status=message.status,
        nlu=nlu,
        client_id=message.client_id,
        language=message.language,
        created_at=message.created_at,
    )


def list_messages(*, session: Session, conversation_id: str, after_seq: int = 0) -> list[Message]:
    """Return a conversation's messages in order (those after `after_seq` when given)."""
    get_conversation(session=session, conversation_id=conversation_id)
    return list(
        session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.seq > after_seq)
            .order_by(Message.seq)
        )
    )


def purchase_intent_history(*, session: Session, conversation_id: str) -> PurchaseIntentHistory:
    """Return the conversation's fused purchase intent and its history, oldest first."""
    conversation = get_conversation(session=session, conversation_id=conversation_id)
    points = session.scalars(
        select(PurchaseIntentSnapshot)
        .where(PurchaseIntentSnapshot.conversation_id == conversation_id)
        .order_by(PurchaseIntentSnapshot.id)
    )
    return PurchaseIntentHistory(
        stage=conversation.purchase_stage,
        score=conversation.purchase_score,
        history=[
            PurchaseIntentPoint(
                stage=p.stage,
                score=p.score,
                nlu_score=p.nlu_score,
                behaviour_score=p.behaviour_score,
                signals=p.signals or {},
                at=p.created_at,
            )
            for p in points
        ],
    )
