"""POST /v1/events: one behaviour event or a batch of up to 1,000."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends

from api.behaviour import service as events_service
from api.behaviour.schemas import EventsOut
from api.deps import OptionalServiceDep, PresentedTokenDep, SessionDep, SessionTokensDep
from api.errors import DomainError, Forbidden, Unauthorized
from api.identity.session_tokens import SessionTokens
from api.limits import limit_events_ip
from api.observability.metrics import EVENTS

router = APIRouter(prefix="/v1", tags=["behaviour"])
BROWSER_EVENTS = {"view", "search", "add_to_cart", "remove_from_cart", "wishlist"}

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
    tokens: SessionTokensDep,
    token: PresentedTokenDep,
    service: OptionalServiceDep,
    body: Any = Body(..., openapi_examples={"one": {"value": EXAMPLE}, "batch": {"value": {"events": [EXAMPLE]}}}),
) -> EventsOut:
    """Store behaviour events: an event object, a list, or `{"events": [...]}`.

    The shop's backend sends any event with its API key. A browser (the widget, the shop's
    pages) sends only its own session's view, search, cart and wishlist events, with the
    session's X-Session-Token; purchases and customer ids come from the shop's backend.

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
    if service is None or service.role != "shop":
        _check_browser_events(items, tokens, token)
    result = events_service.ingest(session, items)
    EVENTS.labels("stored").inc(result.accepted)
    EVENTS.labels("duplicate").inc(result.duplicates)
    EVENTS.labels("rejected").inc(len(result.rejected))
    return result


def _check_browser_events(items: list[Any], tokens: SessionTokens, token: str) -> None:
    """Refuse events a browser session may not report (before anything is stored)."""
    if not token:
        raise Unauthorized("send the shop's API key, or the session's X-Session-Token for its own events")
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            continue  # rejected with its reason by the validation
        if item.get("type") not in BROWSER_EVENTS or item.get("customer_id") is not None:
            raise Forbidden(f"event {n}: a browser session reports only {sorted(BROWSER_EVENTS)}, no customer_id")
        session_id = item.get("session_id")
        if not isinstance(session_id, str) or not tokens.valid(session_id, token):
            raise Unauthorized(f"event {n}: the session token is not this event's session_id's")
