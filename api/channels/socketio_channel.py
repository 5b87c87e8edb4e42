"""A socket.io channel that speaks the rasa-webchat protocol, so that widget connects unchanged.

Events (as Rasa's own SocketIOInput):
  client -> server  session_request {session_id?}      start or resume a session
                    user_uttered    {message, customData?, session_id?}
  server -> client  session_confirm {session_id}
                    bot_uttered     {text, quick_replies?} | {attachment: generic template}

Quick replies become rasa-webchat quick replies; product cards become a carousel
(`attachment.type = "template"`, `template_type = "generic"`), each with a link and an
"Add to cart" postback. The session id is the shopper id, so a widget that keeps its
session in localStorage resumes the same conversation across page loads.
"""

from __future__ import annotations

import hmac
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

import socketio
from starlette.concurrency import run_in_threadpool

from api.channels.live import LiveChannels
from api.conversations import service as conversations
from api.errors import DomainError
from api.identity.session_tokens import SessionTokens
from api.services import Services

log = logging.getLogger(__name__)
CHANNEL = "socketio"


def bot_uttered_payloads(message: dict[str, Any], product_url: str) -> list[dict[str, Any]]:
    """Turn one stored reply into rasa-webchat `bot_uttered` payloads (text first, then cards)."""
    out: list[dict[str, Any]] = []
    text = message.get("text") or ""
    quick = [
        {"content_type": "text", "title": q["title"], "payload": q["payload"]}
        for q in message.get("quick_replies") or []
    ]
    if text or quick:
        payload: dict[str, Any] = {"text": text}
        if quick:
            payload["quick_replies"] = quick
        out.append(payload)
    products = message.get("products") or []
    if products:
        elements = []
        for p in products:
            price = f"{p.get('currency', '')} {p['price']:,.2f}".strip() if p.get("price") is not None else ""
            subtitle = " · ".join(x for x in (price, p.get("reason", "")) if x)
            elements.append(
                {
                    "title": p["title"],
                    "subtitle": subtitle,
                    "image_url": p.get("image_url") or "",
                    "buttons": [
                        {"type": "web_url", "title": "View", "url": product_url.format(product_id=p["product_id"])},
                        {
                            "type": "postback",
                            "title": "Add to cart",
                            "payload": "/add_to_cart" + json.dumps({"product_id": p["product_id"]}),
                        },
                    ],
                }
            )
        out.append({"attachment": {"type": "template", "payload": {"template_type": "generic", "elements": elements}}})
    return out


def issue_session_id(tokens: SessionTokens) -> str:
    """Return a new socket.io session id that proves itself: `sio-<random>.<mac>`.

    rasa-webchat keeps the id and sends only it when it reconnects, so the id carries its
    own proof; an id the API did not issue starts a new session instead of resuming one.
    """
    base = f"sio-{uuid.uuid4().hex}"
    return f"{base}.{_mac(tokens, base)}"


def _mac(tokens: SessionTokens, base: str) -> str:
    return tokens.issue(base)[:22]


def resumable(tokens: SessionTokens, requested: Any) -> str | None:
    """Return the requested session id when this API issued it, else None."""
    if not isinstance(requested, str) or len(requested) > 128 or "." not in requested:
        return None
    base, _, mac = requested.rpartition(".")
    return requested if hmac.compare_digest(_mac(tokens, base), mac) else None


class _SocketIOAdapter:
    """The ChannelAdapter for socket.io: an agent's message reaches the shopper's room."""

    channel = CHANNEL

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio

    async def deliver(self, shopper_key: str, message: dict[str, Any]) -> None:
        await self.sio.emit("bot_uttered", {"text": message.get("text") or ""}, room=shopper_key)


def _start(services: Services, session_id: str) -> None:
    with services.session_factory() as session:
        conversations.open_for_sender(session=session, sender=session_id, channel=CHANNEL)
        session.commit()


def _turn(services: Services, session_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    services.limits.chat_shopper.check(session_id, "messages from this shopper")
    with services.session_factory() as session:
        _, messages = services.turns.handle(
            session,
            sender=session_id,
            text=text,
            channel=CHANNEL,
            metadata=metadata,
            client_id=metadata.get("message_id") if isinstance(metadata.get("message_id"), str) else None,
        )
        return [conversations.to_out(m).model_dump(mode="json") for m in messages[1:]]


def build_socketio_app(
    services: Callable[[], Services], live: LiveChannels, cors_origins: list[str] | str, redis_url: str = ""
) -> socketio.ASGIApp:
    """Return the socket.io ASGI app, to mount at /socket.io on the FastAPI app; it reads the
    app's services when an event comes (they are built at startup, after this).

    With a Redis URL, rooms span every API replica (socket.io's Redis manager): an emit to a
    shopper's room on one replica reaches their socket on another.
    """
    manager = socketio.AsyncRedisManager(redis_url) if redis_url else None
    sio = socketio.AsyncServer(
        async_mode="asgi",
        cors_allowed_origins=cors_origins,
        logger=False,
        engineio_logger=False,
        client_manager=manager,
    )

    async def _open(sid: str, requested: Any) -> str:
        tokens = services().session_tokens
        session_id = resumable(tokens, requested) or issue_session_id(tokens)
        await sio.save_session(sid, {"session_id": session_id})
        await sio.enter_room(sid, session_id)
        await run_in_threadpool(_start, services(), session_id)
        await sio.emit("session_confirm", {"session_id": session_id}, room=sid)
        return session_id

    @sio.on("session_request")
    async def session_request(sid: str, data: Any) -> None:
        await _open(sid, data.get("session_id") if isinstance(data, dict) else None)

    @sio.on("user_uttered")
    async def user_uttered(sid: str, data: Any) -> None:
        if not isinstance(data, dict) or not isinstance(data.get("message"), str) or not data["message"].strip():
            log.debug("socketio.user_uttered.ignored reason=no_message")  # rasa-webchat's empty init payload
            return
        saved = await sio.get_session(sid)
        session_id = saved.get("session_id") or await _open(sid, data.get("session_id"))
        custom: dict[str, Any] = data["customData"] if isinstance(data.get("customData"), dict) else {}
        try:
            replies = await run_in_threadpool(_turn, services(), session_id, data["message"], custom)
        except DomainError as exc:
            await sio.emit("bot_uttered", {"text": f"Sorry, I could not take that message: {exc.message}"}, room=sid)
            return
        for reply in replies:
            for payload in bot_uttered_payloads(reply, services().settings.product_url_template):
                await sio.emit("bot_uttered", payload, room=session_id)

    live.register(_SocketIOAdapter(sio))
    return socketio.ASGIApp(sio, socketio_path="socket.io")
