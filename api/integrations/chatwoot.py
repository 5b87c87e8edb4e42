"""Chatwoot agent bot: Chatwoot's webhook in, Chatwoot's API out.

Chatwoot posts agent-bot events (signed: `X-Chatwoot-Signature` = HMAC-SHA256 over
`{X-Chatwoot-Timestamp}.{body}` with the bot's secret). The bot acts only on incoming
messages of conversations in `pending` (the bot's queue): it answers through
`POST /api/v1/accounts/{account}/conversations/{id}/messages` (text, and `cards` for
products), and hands off with `toggle_status` -> `open` when the shopper asks for a
human or the bot is unsure. When an agent sets the conversation back to `pending`, the
bot resumes.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from api.conversations import service as conversations
from api.conversations.handoff import hand_back, request_handoff
from api.conversations.models import Shopper
from api.dialogue.service import FALLBACK_INTENTS
from api.errors import DomainError
from api.integrations.inbound_router import parse_json, read_verified, remember_delivery
from api.integrations.models import Channel

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
SIGNATURE = "X-Chatwoot-Signature"
TIMESTAMP = "X-Chatwoot-Timestamp"


class ChatwootClient:
    """The few Chatwoot API calls the bot needs."""

    def __init__(self, base_url: str, account_id: int, token: str, timeout_s: float = 10.0) -> None:
        self.base = f"{base_url}/api/v1/accounts/{account_id}/conversations"
        self.headers = {"api_access_token": token}
        self.timeout_s = timeout_s

    def _post(self, path: str, body: dict[str, Any]) -> None:
        for attempt in range(3):
            try:
                r = httpx.post(f"{self.base}/{path}", json=body, headers=self.headers, timeout=self.timeout_s)
                if r.status_code < 500:
                    if r.status_code >= 400:
                        log.warning("chatwoot.api.refused path=%s status=%d", path.split("/")[-1], r.status_code)
                    return
            except httpx.HTTPError as exc:
                log.warning("chatwoot.api.unavailable attempt=%d error=%s", attempt + 1, type(exc).__name__)

    def send_text(self, conversation_id: int, text: str) -> None:
        self._post(f"{conversation_id}/messages", {"content": text, "message_type": "outgoing", "private": False})

    def send_cards(self, conversation_id: int, products: list[dict[str, Any]], product_url: str) -> None:
        items = [
            {
                "media_url": p.get("image_url") or "",
                "title": p["title"],
                "description": " · ".join(
                    x
                    for x in (
                        f"{p.get('currency', '')} {p['price']:,.2f}".strip() if p.get("price") else "",
                        p.get("reason", ""),
                    )
                    if x
                ),
                "actions": [{"type": "link", "text": "View", "uri": product_url.format(product_id=p["product_id"])}],
            }
            for p in products
        ]
        self._post(
            f"{conversation_id}/messages",
            {
                "content": "Products",
                "content_type": "cards",
                "content_attributes": {"items": items},
                "message_type": "outgoing",
            },
        )

    def open_for_agents(self, conversation_id: int) -> None:
        self._post(f"{conversation_id}/toggle_status", {"status": "open"})


def _client(app: Any, channel: Channel) -> ChatwootClient:
    s = channel.settings or {}
    return ChatwootClient(s["base_url"], int(s["account_id"]), app.state.secret_box.open(s["token_sealed"]))


def _shopper_key(channel: Channel, event: dict[str, Any]) -> str:
    conversation = event.get("conversation") or {}
    contact = (conversation.get("meta") or {}).get("sender") or event.get("sender") or {}
    who = contact.get("id") or conversation.get("contact_inbox", {}).get("contact_id") or conversation.get("id")
    return f"{channel.id}:cw:{who}"


def _answer(app: Any, channel: Channel, event: dict[str, Any]) -> None:
    cw_conversation = int((event.get("conversation") or {})["id"])
    client = _client(app, channel)
    with app.state.session_factory() as session:
        conversation, messages = app.state.turns.handle(
            session,
            sender=_shopper_key(channel, event),
            text=str(event.get("content") or ""),
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
            client.send_text(cw_conversation, out.text)
        if out.products:
            client.send_cards(
                cw_conversation, [p.model_dump() for p in out.products], app.state.settings.product_url_template
            )
    if handed_off:
        client.open_for_agents(cw_conversation)


def _status_changed(app: Any, channel: Channel, event: dict[str, Any]) -> None:
    status = (event.get("conversation") or event).get("status")
    key = _shopper_key(channel, event)
    with app.state.session_factory() as session:
        shopper = session.scalar(select(Shopper).where(Shopper.external_id == key))
        if shopper is None:
            return
        conversation = conversations.find_open_conversation(session=session, shopper=shopper, channel="chatwoot")
        if conversation is None:
            return
        if status == "pending":
            hand_back(session, conversation)
        elif status == "open" and conversation.status == "bot":
            request_handoff(session, conversation, reason="opened for agents in Chatwoot")
            session.commit()


@router.post("/chatwoot/{channel_id}")
async def chatwoot_webhook(channel_id: str, request: Request, background: BackgroundTasks) -> JSONResponse:
    """Chatwoot agent-bot events for one Chatwoot channel."""
    channel, body, _ = await read_verified(request, channel_id, "chatwoot", SIGNATURE, TIMESTAMP)
    event = parse_json(body)
    if not isinstance(event, dict):
        raise DomainError("the body must be a JSON object")
    kind = event.get("event")
    conversation = event.get("conversation") or {}
    if kind == "message_created":
        if event.get("message_type") != "incoming" or conversation.get("status") != "pending":
            return JSONResponse({"ignored": "not an incoming message of a pending conversation"})
        if not isinstance(conversation.get("id"), int) or not str(event.get("content") or "").strip():
            return JSONResponse({"ignored": "no conversation id or no text"})
        with request.app.state.session_factory() as session:
            remember_delivery(session, channel.id, f"message-{event.get('id')}")
        background.add_task(run_in_threadpool, _answer, request.app, channel, event)
        return JSONResponse({"accepted": True}, status_code=202)
    if kind in ("conversation_status_changed", "conversation_updated"):
        await run_in_threadpool(_status_changed, request.app, channel, event)
        return JSONResponse({"accepted": True})
    return JSONResponse({"ignored": f"event {kind!r} needs no answer"})
