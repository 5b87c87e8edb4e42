"""The REST widget channel: POST /v1/chat and reading a conversation back."""

from __future__ import annotations

from fastapi import APIRouter, Depends

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
from api.deps import (
    LimitsDep,
    OptionalServiceDep,
    PresentedTokenDep,
    SessionDep,
    SessionTokensDep,
    SettingsDep,
    TurnsDep,
    require_conversation_access,
)
from api.errors import Unauthorized
from api.identity.access import check_sender
from api.identity.verification import verify_customer
from api.limits import limit_chat_ip

router = APIRouter(prefix="/v1", tags=["chat"])


@router.post("/chat", response_model=ChatOut, dependencies=[Depends(limit_chat_ip)])
def chat(
    body: ChatIn,
    session: SessionDep,
    tokens: SessionTokensDep,
    token: PresentedTokenDep,
    service: OptionalServiceDep,
    limits: LimitsDep,
    turns: TurnsDep,
) -> ChatOut:
    """Send a shopper message to the bot and return this turn's stored messages.

    A new sender gets a `session_token`; an existing one must send it back as
    `X-Session-Token` (or the shop's backend calls with its API key).
    """
    check_sender(session, tokens, body.sender, token, service)
    limits.chat_shopper.check(body.sender, "messages from this shopper")
    conversation, messages = turns.handle(
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
        session_token=tokens.issue(body.sender),
    )


ReaderDep = Depends(require_conversation_access)


@router.get("/conversations/{conversation_id}/messages", response_model=list[MessageOut], dependencies=[ReaderDep])
def conversation_messages(conversation_id: str, session: SessionDep) -> list[MessageOut]:
    """Return every message of a conversation, oldest first: to its shopper's session token, staff or a service."""
    return [
        conversations.to_out(m) for m in conversations.list_messages(session=session, conversation_id=conversation_id)
    ]


@router.post("/shoppers/identify", response_model=IdentifyOut, tags=["shoppers"])
def identify(
    body: IdentifyIn,
    session: SessionDep,
    tokens: SessionTokensDep,
    token: PresentedTokenDep,
    service: OptionalServiceDep,
    settings: SettingsDep,
) -> IdentifyOut:
    """Link the shopper's session to their customer id, as the shop vouches; their histories merge."""
    if service is None or service.role != "shop":
        if body.signature is None or body.expires_at is None:
            raise Unauthorized("identify needs the shop's signature (expires_at, signature) or the shop's API key")
        verify_customer(settings.identity_secret, body.customer_id, body.expires_at, body.signature)
        if not tokens.valid(body.session_id, token):
            raise Unauthorized("send this session's token as X-Session-Token")
    sessions = conversations.identify(session=session, session_id=body.session_id, customer_id=body.customer_id)
    shop = service is not None and service.role == "shop"
    token_for_page = tokens.issue(body.session_id) if shop else None
    return IdentifyOut(customer_id=body.customer_id, sessions=sessions, session_token=token_for_page)


@router.get(
    "/conversations/{conversation_id}/purchase-intent", response_model=PurchaseIntentHistory, dependencies=[ReaderDep]
)
def purchase_intent(conversation_id: str, session: SessionDep) -> PurchaseIntentHistory:
    """Return the conversation's purchase intent now and after each turn."""
    return conversations.purchase_intent_history(session=session, conversation_id=conversation_id)
