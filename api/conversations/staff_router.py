"""Handoff for staff: take over, reply on the shopper's channel, hand back, resolve.

Any staff member (agent or admin) or the admin token. The agent's reply reaches the
shopper live on whatever channel they use (WebSocket, socket.io, a webhook channel's
callback) and is stored like every other message; each action is in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.channels.hub import notify_staff
from api.conversations import handoff
from api.conversations import service as conversations
from api.conversations.models import Conversation
from api.conversations.schemas import MessageOut
from api.deps import CurrentStaff
from api.integrations import service as integrations
from api.integrations.schemas import AgentMessageIn
from api.review.schemas import ConversationState, TakeOverIn
from api.services import Services, ServicesDep
from api.staff.service import Principal, audit

router = APIRouter(prefix="/v1/staff/conversations", tags=["staff: handoff"])


def _state(c: Conversation) -> ConversationState:
    return ConversationState(conversation_id=c.id, status=c.status, assignee=c.assignee)


def _reply(
    services: Services, who: Principal, conversation_id: str, body: AgentMessageIn
) -> tuple[MessageOut, str, str]:
    with services.session_factory() as session:
        conversation = conversations.get_conversation(session=session, conversation_id=conversation_id)
        audit(session, who, "conversation.reply", "conversation", conversation.id)
        message = handoff.agent_reply(session, conversation, body.agent or who.username, body.text)
        out = conversations.to_out(message)
        sender = conversation.shopper.external_id.split(":", 1)[-1]
        payload = {"conversation_id": conversation.id, "messages": [out.model_dump(mode="json")]}
        if integrations.forward_to_channel(session, conversation.channel_id, sender, payload):
            session.commit()
        return out, conversation.channel, conversation.shopper.external_id


@router.post("/{conversation_id}/messages", response_model=MessageOut)
async def agent_message(
    conversation_id: str, body: AgentMessageIn, services: ServicesDep, who: CurrentStaff
) -> MessageOut:
    """An agent's reply: the agent holds the conversation from now on, the bot stays quiet."""
    out, channel, shopper_key = await run_in_threadpool(_reply, services, who, conversation_id, body)
    payload = out.model_dump(mode="json")
    services.hub.publish(conversation_id, {"type": "message", "message": payload})
    notify_staff(services.hub, conversation_id, "agent")
    await services.live_channels.deliver(channel, shopper_key, payload)
    return out


def _change(
    services: Services,
    who: Principal,
    conversation_id: str,
    action: str,
    change: Callable[[Session, Conversation], None],
) -> ConversationState:
    with services.session_factory() as session:
        conversation = conversations.get_conversation(session=session, conversation_id=conversation_id)
        audit(session, who, action, "conversation", conversation.id)
        change(session, conversation)  # commits the change and its audit entry together
        state = _state(conversation)
    notify_staff(services.hub, conversation_id, state.status)
    return state


@router.post("/{conversation_id}/takeover", response_model=ConversationState)
async def take_over(
    conversation_id: str, services: ServicesDep, who: CurrentStaff, body: TakeOverIn | None = None
) -> ConversationState:
    """An agent takes the conversation: the bot pauses."""
    agent = (body.agent if body else None) or who.username
    return await run_in_threadpool(
        _change,
        services,
        who,
        conversation_id,
        "conversation.take_over",
        lambda s, c: handoff.take_over(s, c, agent),
    )


@router.post("/{conversation_id}/handback", response_model=ConversationState)
async def hand_back(conversation_id: str, services: ServicesDep, who: CurrentStaff) -> ConversationState:
    """Give the conversation back to the bot."""
    return await run_in_threadpool(_change, services, who, conversation_id, "conversation.hand_back", handoff.hand_back)


@router.post("/{conversation_id}/resolve", response_model=ConversationState)
async def resolve(conversation_id: str, services: ServicesDep, who: CurrentStaff) -> ConversationState:
    """Close the conversation (emits conversation.resolved)."""
    return await run_in_threadpool(_change, services, who, conversation_id, "conversation.resolve", handoff.resolve)
