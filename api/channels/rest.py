"""The REST widget channel: POST /v1/chat and reading a conversation back."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from api.conversations import service as conversations
from api.conversations.schemas import (
    ChatIn,
    ChatOut,
    IdentifyIn,
    IdentifyOut,
    MessageOut,
    PurchaseIntentHistory,
    PurchaseIntentOut,
)
from api.deps import SessionDep
from api.limits import limit_chat_ip

router = APIRouter(prefix="/v1", tags=["chat"])


@router.post("/chat", response_model=ChatOut, dependencies=[Depends(limit_chat_ip)])
def chat(body: ChatIn, session: SessionDep, request: Request) -> ChatOut:
    """Send a shopper message to the bot and return this turn's stored messages."""
    request.app.state.limits.chat_shopper.check(body.sender, "messages from this shopper")
    conversation, messages = request.app.state.turns.handle(
        session,
        sender=body.sender,
        text=body.message,
        channel="rest",
        metadata=body.metadata,
        client_id=body.client_message_id,
    )
    return ChatOut(
        conversation_id=conversation.id,
        messages=[conversations.to_out(m) for m in messages],
        purchase_intent=PurchaseIntentOut(stage=conversation.purchase_stage, score=conversation.purchase_score),
    )


@router.get("/conversations/{conversation_id}/messages", response_model=list[MessageOut])
def conversation_messages(conversation_id: str, session: SessionDep) -> list[MessageOut]:
    """Return every message of a conversation, oldest first."""
    return [
        conversations.to_out(m) for m in conversations.list_messages(session=session, conversation_id=conversation_id)
    ]


@router.post("/shoppers/identify", response_model=IdentifyOut, tags=["shoppers"])
def identify(body: IdentifyIn, session: SessionDep) -> IdentifyOut:
    """Link the shopper's session to their customer id; their histories merge."""
    sessions = conversations.identify(session=session, session_id=body.session_id, customer_id=body.customer_id)
    return IdentifyOut(customer_id=body.customer_id, sessions=sessions)


@router.get("/conversations/{conversation_id}/purchase-intent", response_model=PurchaseIntentHistory)
def purchase_intent(conversation_id: str, session: SessionDep) -> PurchaseIntentHistory:
    """Return the conversation's purchase intent now and after each turn."""
    return conversations.purchase_intent_history(session=session, conversation_id=conversation_id)
