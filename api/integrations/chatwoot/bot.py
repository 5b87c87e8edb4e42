"""What the bot does with Chatwoot's events: answer pending conversations, follow status changes."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from api.conversations import service as conversations
from api.conversations.handoff import hand_back, request_handoff, resolve
from api.conversations.models import Shopper
from api.integrations.chatwoot.client import ChatwootClient
from api.integrations.chatwoot.events import contact_id, conversation_of, new_status
from api.integrations.models import Channel
from api.services import Services
from api.turns.service import FALLBACK_INTENTS

log = logging.getLogger(__name__)
#: Chatwoot takes messages up to 150,000 characters (Message content validation); the NLU
#: reads the first NLU_CHARS of a longer one, which is stored in full up to the API's limit.
NLU_CHARS = 2000


def client_for(services: Services, channel: Channel) -> ChatwootClient:
    s = channel.settings or {}
    return ChatwootClient(s["base_url"], int(s["account_id"]), services.secret_box.open(s["token_sealed"]))


def shopper_key(channel: Channel, event: dict[str, Any]) -> str:
    """One ShopTalk shopper per Chatwoot contact of the channel."""
    who = contact_id(event) or conversation_of(event).get("id")
    return f"{channel.id}:cw:{who}"


def answer(services: Services, channel: Channel, event: dict[str, Any]) -> None:
    """Run the turn for an incoming message and post the replies (and the handoff) to Chatwoot."""
    cw_conversation = int(conversation_of(event)["id"])
    text = str(event.get("content") or "")
    if len(text) > NLU_CHARS:
        log.info("chatwoot.message.truncated chars=%d kept=%d", len(text), NLU_CHARS)
        text = text[:NLU_CHARS]
    client = client_for(services, channel)
    with services.session_factory() as session:
        conversation, messages = services.turns.handle(
            session,
            sender=shopper_key(channel, event),
            text=text,
            channel="chatwoot",
            metadata={"chatwoot_conversation_id": cw_conversation},
            channel_id=channel.id,
        )
        inbound, replies = messages[0], messages[1:]
        unsure = inbound.intent in FALLBACK_INTENTS or (inbound.confidence is not None and inbound.confidence < 0.3)
        if unsure and conversation.status == "bot":
            request_handoff(session, conversation, reason="the bot is unsure")
            session.commit()
        handed_off = conversation.status in ("waiting_for_agent", "agent")
        outs = [conversations.to_out(m) for m in replies]
    for out in outs:
        if out.text:
            client.send_text(cw_conversation, out.text, [q.model_dump() for q in out.quick_replies])
        if out.products:
            products = [p.model_dump() for p in out.products]
            client.send_cards(cw_conversation, products, services.settings.product_url_template)
    if handed_off:
        client.open_for_agents(cw_conversation)


def status_changed(services: Services, channel: Channel, event: dict[str, Any]) -> str:
    """Follow a Chatwoot status change on ShopTalk's side; return what was done."""
    status = new_status(event)
    if status is None:
        return "no status change"
    with services.session_factory() as session:
        shopper = session.scalar(select(Shopper).where(Shopper.external_id == shopper_key(channel, event)))
        conversation = (
            conversations.find_open_conversation(session=session, shopper=shopper, channel="chatwoot")
            if shopper is not None
            else None
        )
        if conversation is None:
            return "no open conversation"
        if status == "pending":
            hand_back(session, conversation)
            return "handed back to the bot"
        if status == "resolved":
            resolve(session, conversation)
            return "resolved"
        if status == "open" and conversation.status == "bot":
            request_handoff(session, conversation, reason="opened for agents in Chatwoot")
            session.commit()
            return "handed to agents"
    return "nothing to do"
