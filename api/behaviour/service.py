"""Store behaviour events in bulk, idempotently, and read a shopper's recent behaviour."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.behaviour.models import BehaviourEvent
from api.behaviour.schemas import MAX_BATCH, EventIn, EventsOut, RejectedEvent
from api.db import utcnow
from api.errors import DomainError
from api.pii.masking import Masker

_EVENT = TypeAdapter(EventIn)
DEFAULT_MASKER = Masker()


class BatchTooLarge(DomainError):
    """More events in one request than allowed."""

    status_code = 413


def _errors(exc: ValidationError) -> list[str]:
    out = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error.get("loc", ())) or "event"
        out.append(f"{field}: {error.get('msg', 'invalid')}")
    return out


def validate_batch(items: Sequence[Any]) -> tuple[list[EventIn], list[RejectedEvent]]:
    """Validate each item on its own; return the valid events and the rejected ones with reasons."""
    if len(items) > MAX_BATCH:
        raise BatchTooLarge(f"a batch holds at most {MAX_BATCH} events; this one has {len(items)}")
    valid: list[EventIn] = []
    rejected: list[RejectedEvent] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        event_id = item.get("event_id") if isinstance(item, dict) else None
        try:
            event = _EVENT.validate_python(item)
        except ValidationError as exc:
            rejected.append(
                RejectedEvent(index=index, event_id=str(event_id) if event_id else None, errors=_errors(exc))
            )
            continue
        if event.event_id in seen:
            rejected.append(RejectedEvent(index=index, event_id=event.event_id, errors=["event_id repeats in batch"]))
            continue
        seen.add(event.event_id)
        valid.append(event)
    return valid, rejected


def store_events(session: Session, events: Sequence[EventIn]) -> tuple[int, int]:
    """Insert events not stored before (by event_id); return (inserted, duplicates). Commits."""
    if not events:
        return 0, 0
    known: set[str] = set()
    ids = [e.event_id for e in events]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        known.update(session.scalars(select(BehaviourEvent.event_id).where(BehaviourEvent.event_id.in_(chunk))))
    now = utcnow()
    rows = [_row(e, now) for e in events if e.event_id not in known]
    if rows:
        session.execute(_insert_ignoring_conflicts(session), rows)
    session.commit()
    return len(rows), len(events) - len(rows)


def _row(event: EventIn, now: datetime) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "type": event.type,
        "session_id": event.session_id,
        "customer_id": event.customer_id,
        "product_id": event.product_id,
        "query": DEFAULT_MASKER.mask(event.query) if event.query else None,
        "quantity": event.quantity,
        "price": event.price,
        "source": event.source,
        "conversation_id": event.conversation_id,
        "occurred_at": event.timestamp or now,
        "received_at": now,
        "extra": event.extra,
    }


def _insert_ignoring_conflicts(session: Session) -> Any:
    """INSERT ... ON CONFLICT (event_id) DO NOTHING: a concurrent retry of the same batch is safe."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(BehaviourEvent).on_conflict_do_nothing(index_elements=["event_id"])
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(BehaviourEvent).on_conflict_do_nothing(index_elements=["event_id"])


def ingest(session: Session, items: Sequence[Any]) -> EventsOut:
    """Validate and store a batch; the valid events are stored even when others are rejected."""
    valid, rejected = validate_batch(items)
    accepted, duplicates = store_events(session, valid)
    return EventsOut(accepted=accepted, duplicates=duplicates, rejected=rejected)


def recent_events(
    session: Session,
    keys: Iterable[str],
    *,
    limit: int = 200,
    types: Iterable[str] | None = None,
    since: datetime | None = None,
) -> list[BehaviourEvent]:
    """Return the newest events of any of the shopper's session or customer ids, newest first."""
    keys = [k for k in keys if k]
    if not keys:
        return []
    query = select(BehaviourEvent).where(or_(BehaviourEvent.session_id.in_(keys), BehaviourEvent.customer_id.in_(keys)))
    if types is not None:
        query = query.where(BehaviourEvent.type.in_(list(types)))
    if since is not None:
        query = query.where(BehaviourEvent.occurred_at >= since)
    return list(
        session.scalars(query.order_by(BehaviourEvent.occurred_at.desc(), BehaviourEvent.id.desc()).limit(limit))
    )


def as_utc(value: datetime) -> datetime:
    """Return a timezone-aware UTC datetime (SQLite returns naive ones)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
