"""One chat turn: store the shopper's message, ask the engine, store and return the reply."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.behaviour.service import as_utc, recent_events
from api.channels.hub import Hub, notify_staff
from api.conversations import service as conversations
from api.conversations.handoff import request_handoff
from api.conversations.language import message_language, settle_language, stated_language
from api.conversations.models import Conversation, Message, PurchaseIntentSnapshot, Shopper
from api.conversations.purchase_intent import Signal, fuse
from api.conversations.schemas import QuickReply
from api.db import utcnow
from api.dialogue.port import BotMessage, DialogueEngine, DialogueUnavailable, NluResult
from api.errors import InvalidMessage, MessageTooLarge
from api.integrations.outbox import emit
from api.observability.metrics import FALLBACKS, NLU_CONFIDENCE, TURN_SECONDS
from api.pii.masking import Masker
from i18n import catalog
from i18n.catalog import N_
from i18n.language import SUPPORTED

log = logging.getLogger(__name__)
DEFAULT_MASKER = Masker()

UNAVAILABLE_REPLY = N_(
    "Sorry, our shopping assistant is temporarily unavailable. Your message is saved "
    "and we'll get back to you; you can also try again in a moment."
)
NUDGE_TEXT = N_("Your cart is ready whenever you are. Shall I help you check out?")
NUDGE_CHECKOUT, NUDGE_KEEP = N_("Go to checkout"), N_("Keep shopping")


def checkout_nudge(language: str | None) -> BotMessage:
    """The offer to check out, in the conversation's language."""
    say = catalog.translator(language)
    return BotMessage(
        text=say(NUDGE_TEXT),
        quick_replies=[
            QuickReply(title=say(NUDGE_CHECKOUT), payload="/checkout_help"),
            QuickReply(title=say(NUDGE_KEEP), payload="/search_product"),
        ],
    )


CHECKOUT_NUDGE = checkout_nudge(None)
HANDOFF_INTENTS = {"contact_human_agent"}
FALLBACK_INTENTS = {"nlu_fallback", "out_of_scope"}
CHECKOUT_INTENTS = {"checkout_help", "place_order", "check_payment_methods"}
# still looking: a nudge to check out would interrupt ("show me cheaper ones")
BROWSING_INTENTS = {"search_product", "ask_recommendation", "compare_products", "product_info", "check_availability"}


_FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def validate_text(text: str, max_bytes: int) -> str:
    """Return the message if acceptable, else raise a domain error saying why.

    Control characters (NUL and the like; tab and newlines are fine) and lone UTF-16
    surrogates (a JSON "\\ud800" escape) are refused: they are never what a shopper typed,
    and storage, Rasa and webhooks cannot all carry them.
    """
    bad = _FORBIDDEN_CHARS.search(text)
    if bad:
        kind = "a lone surrogate" if "\ud800" <= bad.group() <= "\udfff" else "a control character"
        raise InvalidMessage(f"message contains {kind} (U+{ord(bad.group()):04X}) at position {bad.start()}")
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise MessageTooLarge(f"message is {size} bytes; the limit is {max_bytes} bytes")
    if not text.strip():
        raise InvalidMessage("message must not be empty or only whitespace")
    return text.strip()


def handle_turn(
    *,
    session: Session,
    engine: DialogueEngine,
    sender: str,
    text: str,
    channel: str,
    metadata: dict[str, Any],
    max_bytes: int,
    client_id: str | None = None,
    channel_id: str | None = None,
    masker: Masker = DEFAULT_MASKER,
    resume_after_s: float = 15.0,
) -> tuple[Conversation, list[Message]]:
    """Run one shopper turn end to end and return the conversation and the turn's messages.

    The shopper's message is committed before the engine is asked, so a failure later
    never loses it; an engine failure yields a polite reply and marks the message.
    """
    text = masker.mask(validate_text(text, max_bytes))  # personal data never reaches storage, Rasa or webhooks
    shopper, conversation = conversations.open_for_sender(
        session=session, sender=sender, channel=channel, channel_id=channel_id
    )
    language = settle_language(conversation, text, stated_language(metadata))
    inbound, replayed = _store_inbound(session, conversation, text, client_id, resume_after_s)
    if replayed is not None:
        return conversation, replayed  # a retry of a message already taken: answer it again, store nothing
    if conversation.status != "bot":
        conversations.annotate(message=inbound, nlu=None, status="awaiting_agent", latency_ms=0.0)
        session.commit()
        return conversation, [inbound]
    turn_metadata = {
        **metadata,
        "shopper_id": shopper.id,
        "session_id": sender,
        "channel": channel,
        "language": language,
    }
    replies, nlu, status, latency_ms = _understand_and_reply(
        engine, conversation.id, text, turn_metadata, channel, language
    )
    conversations.annotate(message=inbound, nlu=nlu, status=status, latency_ms=latency_ms)
    replies = _update_shopper_state(session, conversation, shopper, nlu, replies)
    stored = conversations.add_replies(session=session, conversation=conversation, replies=replies)
    session.commit()
    log.info("dialogue.turn.done status=%s intent=%s latency_ms=%.0f", status, nlu.intent if nlu else None, latency_ms)
    return conversation, [inbound, *stored]


def _store_inbound(
    session: Session, conversation: Conversation, text: str, client_id: str | None, resume_after_s: float
) -> tuple[Message, list[Message] | None]:
    """Store the shopper's message and commit it (before anything can fail); return it, and
    the stored turn instead when this is a retry of a finished one.

    A retry is told by the unique (conversation, client id) index refusing the message, so a
    first attempt, nearly every turn, reads nothing to look for an earlier one."""
    try:
        inbound = conversations.add_shopper_message(
            session=session,
            conversation=conversation,
            text=text,
            client_id=client_id,
            language=message_language(text, conversation),
        )
        session.commit()
        return inbound, None
    except IntegrityError as exc:
        session.rollback()
        if client_id is None or "client_id" not in str(exc.orig):
            raise  # not the client id's index: nothing to replay
        stored_turn = conversations.find_turn(session=session, conversation=conversation, client_id=client_id)
        if stored_turn is None:
            raise
    if not _interrupted(stored_turn, resume_after_s):
        return stored_turn[0], stored_turn
    log.warning("dialogue.turn.resumed conversation=%s", conversation.id)
    return stored_turn[0], None  # a process died mid-turn: finish the turn it left


def _understand_and_reply(
    engine: DialogueEngine, conversation_id: str, message: str, metadata: dict[str, Any], channel: str, language: str
) -> tuple[list[BotMessage], NluResult | None, str, float]:
    """Ask the engine; a failure becomes the polite apology. Returns replies, NLU, status, ms."""
    started = time.perf_counter()
    try:
        turn = engine.handle(conversation_id=conversation_id, text=message, metadata=metadata)
        replies, nlu, status = turn.messages, turn.nlu, "answered"
    except DialogueUnavailable:
        replies, nlu, status = (
            [BotMessage(text=catalog.text(language, UNAVAILABLE_REPLY))],
            None,
            "dialogue_unavailable",
        )
        log.warning("dialogue.turn.degraded conversation=%s", conversation_id)
    latency_ms = (time.perf_counter() - started) * 1000
    TURN_SECONDS.labels(channel, status).observe(latency_ms / 1000)
    if nlu is not None and nlu.confidence is not None:
        NLU_CONFIDENCE.observe(nlu.confidence)
    if nlu is not None and nlu.intent in FALLBACK_INTENTS:
        FALLBACKS.inc()
    return replies, nlu, status, latency_ms


def _update_shopper_state(
    session: Session, conversation: Conversation, shopper: Shopper, nlu: NluResult | None, replies: list[BotMessage]
) -> list[BotMessage]:
    """Hand off when asked, move the purchase funnel, and add the checkout nudge when due."""
    if nlu is None:
        return replies
    if nlu.intent in HANDOFF_INTENTS:
        request_handoff(session, conversation, reason="shopper asked for a human")
    if update_purchase_intent(session, conversation, shopper, nlu) and not _nudged(session, conversation):
        return [*replies, checkout_nudge(conversation.language)]
    return replies


def _nudged(session: Session, conversation: Conversation) -> bool:
    """The checkout nudge is offered once per conversation (in whichever language)."""
    texts = {catalog.text(language, NUDGE_TEXT) for language in SUPPORTED}
    found = session.scalar(
        select(Message.id).where(Message.conversation_id == conversation.id, Message.text.in_(texts)).limit(1)
    )
    return found is not None


@dataclass(frozen=True)
class Turns:
    """handle_turn with this app's engine, message limit and masking rules: what every channel calls."""

    engine: DialogueEngine
    max_bytes: int
    masker: Masker
    hub: Hub | None = None  # staff consoles hear of every turn
    # a retry finds its turn unfinished: it re-runs it only once no engine call can still be under way
    resume_after_s: float = 15.0

    def handle(
        self,
        session: Session,
        *,
        sender: str,
        text: str,
        channel: str,
        metadata: dict[str, Any],
        client_id: str | None = None,
        channel_id: str | None = None,
    ) -> tuple[Conversation, list[Message]]:
        """Run one shopper turn on `channel` (see handle_turn)."""
        conversation, messages = handle_turn(
            session=session,
            engine=self.engine,
            sender=sender,
            text=text,
            channel=channel,
            metadata=metadata,
            max_bytes=self.max_bytes,
            masker=self.masker,
            client_id=client_id,
            channel_id=channel_id,
            resume_after_s=self.resume_after_s,
        )
        notify_staff(self.hub, conversation.id, conversation.status)
        return conversation, messages


def _interrupted(stored_turn: list[Message], resume_after_s: float) -> bool:
    """True when a stored turn never finished (no reply, still 'received') and is old enough
    that the process handling it must have died (longer than any engine timeout)."""
    inbound = stored_turn[0]
    if inbound.status != "received" or len(stored_turn) > 1:
        return False
    return (utcnow() - as_utc(inbound.created_at)).total_seconds() > resume_after_s


def update_purchase_intent(session: Session, conversation: Conversation, shopper: Shopper, nlu: NluResult) -> bool:
    """Fuse and store the conversation's purchase intent after a turn; return True when the
    bot should offer checkout (it just turned to 'purchase' with something in the cart and
    the shopper is not already asking to check out)."""
    keys = conversations.keys_of(session, shopper)
    events = recent_events(session, keys, limit=200, since=utcnow() - timedelta(days=7))
    signals = [Signal(e.type, e.product_id or "", as_utc(e.occurred_at)) for e in events]
    before = conversation.purchase_stage
    intent = fuse(nlu.stage, nlu.stage_score, conversation.purchase_score, signals, utcnow())
    conversation.purchase_stage, conversation.purchase_score = intent.stage, intent.score
    session.add(
        PurchaseIntentSnapshot(
            conversation_id=conversation.id,
            stage=intent.stage,
            score=intent.score,
            nlu_score=intent.nlu_score,
            behaviour_score=intent.behaviour_score,
            signals=intent.signals,
        )
    )
    if intent.stage == "purchase" and before != "purchase":
        emit(
            session,
            "purchase_intent.high",
            {"conversation_id": conversation.id, "score": intent.score, "signals": intent.signals},
        )
    return (
        intent.stage == "purchase"
        and before != "purchase"
        and intent.signals.get("cart_adds_net", 0) > 0
        and nlu.intent not in CHECKOUT_INTENTS
        and nlu.intent not in BROWSING_INTENTS
    )
