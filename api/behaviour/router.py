"""POST /v1/events: one behaviour event or a batch of up to 1,000."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends

from api.behaviour import service
from api.behaviour.schemas import EventsOut
from api.deps import SessionDep
from api.errors import DomainError
from api.limits import limit_events_ip
from api.observability.metrics import EVENTS

router = APIRouter(prefix="/v1", tags=["behaviour"])

EXAMPLE = {
    "event_id": "evt-0001",
    "type": "add_to_cart",
    "session_id": "web-3f2a",
    "product_id": "SKU-123",
    "quantity": 1,
    "price": 39.9,
    "timestamp": "2026-11-23T10:15:00Z",
}


@router.post("/events", response_model=EventsOut, status_code=200, dependencies=[Depends(limit_events_ip)])
def post_events(
    session: SessionDep,
    body: Any = Body(..., openapi_examples={"one": {"value": EXAMPLE}, "batch": {"value": {"events": [EXAMPLE]}}}),
) -> EventsOut:
    """Store behaviour events: an event object, a list, or `{"events": [...]}`.

    Each event is validated on its own: valid ones are stored, the response lists the
    rejected ones with the reason. Retrying a batch is safe: events whose `event_id` is
    already stored count as duplicates and are not stored twice.
    """
    if isinstance(body, dict) and "events" in body:
        items = body["events"]
    elif isinstance(body, dict):
        items = [body]
    else:
        items = body
    if not isinstance(items, list):
        raise DomainError('body must be an event object, a list of events, or {"events": [...]}')
    result = service.ingest(session, items)
    EVENTS.labels("stored").inc(result.accepted)
    EVENTS.labels("duplicate").inc(result.duplicates)
    EVENTS.labels("rejected").inc(len(result.rejected))
    return result
