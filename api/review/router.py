"""Staff review: the inbox, one conversation, tags, private notes, NLU corrections and their export."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from api.channels.hub import notify_staff
from api.conversations import service as conversations
from api.deps import CurrentStaff, HubDep, SessionDep, SettingsDep, TaxonomyDep
from api.review import inbox, service
from api.review.rasa_export import to_rasa_nlu_yaml
from api.review.schemas import (
    ConversationDetail,
    CorrectionIn,
    CorrectionOut,
    InboxFilter,
    InboxPage,
    NoteIn,
    NoteOut,
    TagIn,
)
from api.staff.service import audit

router = APIRouter(prefix="/v1/staff", tags=["staff: review"])


@router.get("/conversations", response_model=InboxPage)
def list_conversations(session: SessionDep, _: CurrentStaff, flt: Annotated[InboxFilter, Query()]) -> InboxPage:
    """Return the inbox: conversations matching the filters, sorted and paginated."""
    return inbox.inbox_page(session=session, flt=flt)


@router.get("/conversations/{conversation_id}", response_model=ConversationDetail)
def get_conversation(conversation_id: str, session: SessionDep, _: CurrentStaff) -> ConversationDetail:
    """Return one conversation with what the NLU understood, the shopper's behaviour, tags and notes."""
    return service.conversation_detail(session=session, conversation_id=conversation_id)


@router.post("/conversations/{conversation_id}/tags", response_model=list[str])
def add_tag(conversation_id: str, body: TagIn, hub: HubDep, session: SessionDep, who: CurrentStaff) -> list[str]:
    """Tag the conversation; return its tags."""
    conversation = conversations.get_conversation(session=session, conversation_id=conversation_id)
    if service.add_tag(session=session, conversation=conversation, tag=body.tag, author=who.username):
        audit(session, who, "conversation.tag", "conversation", conversation.id, {"tag": body.tag})
        session.commit()
        notify_staff(hub, conversation.id, conversation.status)
    return service.tags_of(session, conversation.id)


@router.delete("/conversations/{conversation_id}/tags/{tag}", response_model=list[str])
def remove_tag(conversation_id: str, tag: str, hub: HubDep, session: SessionDep, who: CurrentStaff) -> list[str]:
    """Remove a tag; return the conversation's tags."""
    conversation = conversations.get_conversation(session=session, conversation_id=conversation_id)
    if service.remove_tag(session=session, conversation=conversation, tag=tag.lower()):
        audit(session, who, "conversation.untag", "conversation", conversation.id, {"tag": tag.lower()})
        session.commit()
        notify_staff(hub, conversation.id, conversation.status)
    return service.tags_of(session, conversation.id)


@router.post("/conversations/{conversation_id}/notes", response_model=NoteOut, status_code=201)
def add_note(conversation_id: str, body: NoteIn, session: SessionDep, who: CurrentStaff) -> NoteOut:
    """Add a private note (staff only; never shown to the shopper)."""
    conversation = conversations.get_conversation(session=session, conversation_id=conversation_id)
    note = service.add_note(session=session, conversation=conversation, text=body.text, author=who.username)
    audit(session, who, "conversation.note", "conversation", conversation.id, {"note_id": note.id})
    session.commit()
    return NoteOut(id=note.id, author=note.author, text=note.text, created_at=note.created_at)


@router.post("/messages/{message_id}/correction", response_model=CorrectionOut, status_code=201)
def correct(
    message_id: str, body: CorrectionIn, tax: TaxonomyDep, session: SessionDep, who: CurrentStaff
) -> CorrectionOut:
    """Correct what the NLU understood from a shopper message; the correction becomes training data."""
    a = service.correct_message(
        session=session,
        message_id=message_id,
        correction=body,
        taxonomy=tax,
        author=who.username,
    )
    audit(session, who, "message.correct", "message", message_id, {"from": a.predicted_intent, "to": a.intent})
    session.commit()
    return CorrectionOut(intent=a.intent, entities=a.entities or [], author=a.author, created_at=a.created_at)


@router.get("/corrections/export", response_class=PlainTextResponse)
def export_corrections(session: SessionDep, who: CurrentStaff, since: datetime | None = None) -> PlainTextResponse:
    """Return the corrections (all, or made since a date) as Rasa NLU YAML, ready to merge into bot/data."""
    rows = service.corrections_since(session, since)
    audit(session, who, "corrections.export", "annotations", "", {"count": len(rows), "since": str(since or "")})
    session.commit()
    return PlainTextResponse(
        to_rasa_nlu_yaml(rows),
        media_type="application/x-yaml",
        headers={"Content-Disposition": 'attachment; filename="corrections.yml"'},
    )


@router.get("/taxonomy")
def taxonomy(tax: TaxonomyDep, settings: SettingsDep, _: CurrentStaff) -> dict[str, object]:
    """Return the intents (with funnel stages) and entity types a correction may use, and what
    the inbox calls low confidence."""
    threshold = settings.low_confidence_threshold
    return {"intents": tax.stages, "entities": tax.entities, "low_confidence_threshold": threshold}
