"""The WebSocket widget channel: /v1/ws.

Protocol (JSON text frames; every frame has a "type"):

client -> server
  {"type": "session_request", "session_id": "..."?, "session_token": "..."?}
        start (omit the id to get one) or resume: resuming a session needs the
        session_token its session_confirm carried
  {"type": "message", "text": "...", "client_id": "...", "metadata": {...}?}
        client_id is the widget's id for the message: sending it again after a
        reconnect is answered from storage, never stored twice
  {"type": "history", "after_seq": 0}                  messages after a sequence number
  {"type": "ping"}

server -> client
  {"type": "session_confirm", "session_id", "session_token", "conversation_id", "last_seq"}
  {"type": "ack", "client_id", "seq", "conversation_id"}  the shopper's message is stored (a new
        conversation id: the old one was resolved, seqs start again)
  {"type": "typing", "on": true|false}
  {"type": "message", "message": {id, seq, author, text, quick_replies, products, ...}}
  {"type": "history", "messages": [...]}
  {"type": "purchase_intent", "stage", "score"}
  {"type": "error", "code", "status", "message"}       the connection stays open (binary and
        malformed frames get one too)
  {"type": "pong"}

Messages from staff (an agent who took the conversation over) arrive as "message" frames
at any time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from api.channels.hub import Hub
from api.conversations import service as conversations
from api.errors import DomainError
from api.identity.access import check_sender
from api.services import Services, get_services

log = logging.getLogger(__name__)
router = APIRouter()
CHANNEL = "ws"
MAX_FRAME_BYTES = 64 * 1024


class ProtocolError(DomainError):
    """A frame the protocol does not allow."""


def _session_start(services: Services, session_id: str, token: str) -> dict[str, Any]:
    with services.session_factory() as session:
        check_sender(session, services.session_tokens, session_id, token, None)  # resuming needs the token
        _, conversation = conversations.open_for_sender(session=session, sender=session_id, channel=CHANNEL)
        session.commit()
        messages = conversations.list_messages(session=session, conversation_id=conversation.id)
        return {
            "type": "session_confirm",
            "session_id": session_id,
            "conversation_id": conversation.id,
            "last_seq": messages[-1].seq if messages else 0,
        }


def _history(services: Services, conversation_id: str, after_seq: int) -> dict[str, Any]:
    with services.session_factory() as session:
        messages = conversations.list_messages(session=session, conversation_id=conversation_id, after_seq=after_seq)
        return {"type": "history", "messages": [conversations.to_out(m).model_dump(mode="json") for m in messages]}


def _turn(
    services: Services, session_id: str, frame: dict[str, Any]
) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    text, client_id = frame.get("text"), frame.get("client_id")
    metadata = frame.get("metadata") or {}
    if not isinstance(text, str):
        raise ProtocolError("a message frame needs a string 'text'")
    if client_id is not None and (not isinstance(client_id, str) or not 0 < len(client_id) <= 64):
        raise ProtocolError("'client_id' must be a string of 1 to 64 characters")
    if not isinstance(metadata, dict):
        raise ProtocolError("'metadata' must be an object")
    with services.session_factory() as session:
        conversation, messages = services.turns.handle(
            session,
            sender=session_id,
            text=text,
            channel=CHANNEL,
            metadata=metadata,
            client_id=client_id,
        )
        out = [conversations.to_out(m).model_dump(mode="json") for m in messages]
        intent = {"type": "purchase_intent", "stage": conversation.purchase_stage, "score": conversation.purchase_score}
        return conversation.id, out, intent


class _Follower:
    """Forwards what the hub publishes for one conversation to this connection."""

    def __init__(self, hub: Hub, send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        self.hub, self.send = hub, send
        self.conversation_id: str | None = None
        self._queue: asyncio.Queue[dict[str, Any]] | None = None
        self._pump: asyncio.Task[None] | None = None

    def follow(self, conversation_id: str) -> None:
        """Listen to this conversation instead of the previous one."""
        if conversation_id == self.conversation_id:
            return
        self._stop_listening()
        self.conversation_id = conversation_id
        self._queue = self.hub.subscribe(conversation_id)
        self._pump = asyncio.create_task(self._forward(self._queue))

    async def _forward(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        while True:
            await self.send(await queue.get())

    def _stop_listening(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
        if self._queue is not None and self.conversation_id is not None:
            self.hub.unsubscribe(self.conversation_id, self._queue)

    async def close(self) -> None:
        self._stop_listening()
        if self._pump is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._pump


class _Connection:
    """One widget connection: its socket, its session, and the conversation it follows."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket, self.services = websocket, get_services(websocket)
        self.session_id: str | None = None
        self._send_lock = asyncio.Lock()
        self.live = _Follower(self.services.hub, self.send)

    async def send(self, payload: dict[str, Any]) -> None:
        async with self._send_lock:
            await self.websocket.send_json(payload)

    def require_session(self) -> tuple[str, str]:
        """The session id and the conversation this connection follows (a session_request came first)."""
        if self.session_id is None or self.live.conversation_id is None:
            raise ProtocolError("send a session_request first")
        return self.session_id, self.live.conversation_id


async def _on_ping(conn: _Connection, frame: dict[str, Any]) -> None:
    await conn.send({"type": "pong"})


async def _on_session_request(conn: _Connection, frame: dict[str, Any]) -> None:
    requested, token = frame.get("session_id"), frame.get("session_token")
    if requested is not None and (not isinstance(requested, str) or not 0 < len(requested) <= 128):
        raise ProtocolError("'session_id' must be a string of 1 to 128 characters")
    if token is not None and not isinstance(token, str):
        raise ProtocolError("'session_token' must be a string")
    session_id = requested or f"ws-{uuid.uuid4()}"
    confirm = await run_in_threadpool(_session_start, conn.services, session_id, token or "")
    conn.session_id = session_id
    conn.live.follow(confirm["conversation_id"])
    await conn.send({**confirm, "session_token": conn.services.session_tokens.issue(session_id)})


async def _on_history(conn: _Connection, frame: dict[str, Any]) -> None:
    _, conversation_id = conn.require_session()
    after = frame.get("after_seq", 0)
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise ProtocolError("'after_seq' must be a non-negative integer")
    await conn.send(await run_in_threadpool(_history, conn.services, conversation_id, after))


async def _on_message(conn: _Connection, frame: dict[str, Any]) -> None:
    session_id, _ = conn.require_session()
    # in the thread pool: with REDIS_URL the check is a network round trip
    await run_in_threadpool(conn.services.limits.chat_shopper.check, session_id, "messages from this shopper")
    await conn.send({"type": "typing", "on": True})
    try:
        conv_id, messages, intent = await run_in_threadpool(_turn, conn.services, session_id, frame)
    finally:
        await conn.send({"type": "typing", "on": False})
    inbound, replies = messages[0], messages[1:]
    await conn.send(
        {"type": "ack", "client_id": frame.get("client_id"), "seq": inbound["seq"], "conversation_id": conv_id}
    )
    for reply in replies:
        await conn.send({"type": "message", "message": reply})
    await conn.send(intent)
    conn.live.follow(conv_id)  # a new conversation if the old one was resolved meanwhile


HANDLERS: dict[str, Callable[[_Connection, dict[str, Any]], Awaitable[None]]] = {
    "ping": _on_ping,
    "session_request": _on_session_request,
    "history": _on_history,
    "message": _on_message,
}


def parse_frame(message: Mapping[str, Any]) -> dict[str, Any]:
    """Return a client frame as a dict with a string 'type', or raise ProtocolError saying why."""
    raw = message.get("text")
    if raw is None:
        raise ProtocolError("binary frames are not part of the protocol: send JSON text frames")
    if len(raw.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
        raise ProtocolError(f"frame is larger than {MAX_FRAME_BYTES} bytes")
    try:
        frame = json.loads(raw)
    except ValueError as exc:
        raise ProtocolError("frame is not valid JSON") from exc
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise ProtocolError("frame must be a JSON object with a string 'type'")
    return frame


async def _serve_frame(conn: _Connection, message: Mapping[str, Any]) -> None:
    try:
        frame = parse_frame(message)
        handler = HANDLERS.get(frame["type"])
        if handler is None:
            raise ProtocolError(f"unknown frame type '{frame['type']}'")
        await handler(conn, frame)
    except DomainError as exc:
        await conn.send(
            {"type": "error", "code": type(exc).__name__, "status": exc.status_code, "message": exc.message}
        )
    except (WebSocketDisconnect, RuntimeError):
        raise
    except Exception:  # a bug must cost the shopper one frame, not the connection
        log.exception("ws.frame_failed")
        await conn.send({"type": "error", "code": "InternalError", "status": 500, "message": "that frame failed"})


@router.websocket("/v1/ws")
async def websocket_channel(websocket: WebSocket) -> None:
    """Serve one widget connection (protocol in the module docstring)."""
    await websocket.accept()
    conn = _Connection(websocket)
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            await _serve_frame(conn, message)
    except WebSocketDisconnect:
        pass
    finally:
        await conn.live.close()
