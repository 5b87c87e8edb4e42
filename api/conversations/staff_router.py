"""Handoff endpoints for staff: take over, reply on the shopper's channel, hand back, resolve.

Protected by the admin token until staff accounts arrive; the agent's reply reaches the
shopper live on whatever channel they use (WebSocket, socket.io, a webhook channel's
callback), and is stored like every other message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.conversations import handoff
from api.conversations import service as conversations
from api.conversations.models import Conversation
from api.conversations.schemas import MessageOut
from api.deps import AdminDep
from api.integrations.models import Channel
from api.integrations.outbox import emit_to_channel
from api.integrations.schemas import AgentMessageIn

router = APIRouter(prefix="/v1/admin/conversations", tags=["admin: handoff"], dependencies=[AdminDep])


class TakeOverIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agent: str = Field(min_length=1, max_length=128)


class ConversationState(BaseModel):
    conversation_id: str
    status: str
    assignee: str | None


def _state(c: Conversation) -> ConversationState:
    return ConversationState(conversation_id=c.id, status=c.status, assignee=c.assignee)


def _reply(app: Any, conversation_id: str, body: AgentMessageIn) -> tuple[MessageOut, str, str]:
    with app.state.session_factory() as session:
        conversation = conversations.get_conversation(session=session, conversation_id=conversation_id)
        message = handoff.agent_reply(session, conversation, body.agent, body.text)
        out = conversations.to_out(message)
        if conversation.channel_id:
            channel = session.get(Channel, conversation.channel_id)
            if channel is not None and channel.callback_url and channel.kind == "webhook":
                sender = conversation.shopper.external_id.split(":", 1)[-1]
                emit_to_channel(
                    session,
                    channel,
                    {"conversation_id": conversation.id, "sender": sender, "messages": [out.model_dump(mode="json")]},
                )
                session.commit()
        return out, conversation.channel, conversation.shopper.external_id


@router.post("/{conversation_id}/messages", response_model=MessageOut)
async def agent_message(conversation_id: str, body: AgentMessageIn, request: Request) -> MessageOut:
    """An agent's reply: the agent holds the conversation from now on, the bot stays quiet."""
    app = request.app
    out, channel, shopper_key = await run_in_threadpool(_reply, app, conversation_id, body)
    app.state.hub.publish(conversation_id, {"type": "message", "message": out.model_dump(mode="json")})
    if channel == "socketio" and getattr(app.state, "sio", None) is not None:
        await app.state.sio.emit("bot_uttered", {"text": out.text}, room=shopper_key)
    return out


def _change(app: Any, conversation_id: str, change: Callable[[Session, Conversation], None]) -> ConversationState:
    with app.state.session_factory() as session:
        conversation = conversations.get_conversation(session=session, conversation_id=conversation_id)
        change(session, conversation)
        return _state(conversation)


@router.post("/{conversation_id}/takeover", response_model=ConversationState)
async def take_over(conversation_id: str, body: TakeOverIn, request: Request) -> ConversationState:
    """An agent takes the conversation: the bot pauses."""
    return await run_in_threadpool(
        _change, request.app, conversation_id, lambda s, c: handoff.take_over(s, c, body.agent)
    )


@router.post("/{conversation_id}/handback", response_model=ConversationState)
async def hand_back(conversation_id: str, request: Request) -> ConversationState:
    """Give the conversation back to the bot."""
    return await run_in_threadpool(_change, request.app, conversation_id, handoff.hand_back)


@router.post("/{conversation_id}/resolve", response_model=ConversationState)
async def resolve(conversation_id: str, request: Request) -> ConversationState:
    """Close the conversation (emits conversation.resolved)."""
    return await run_in_threadpool(_change, request.app, conversation_id, handoff.resolve)
