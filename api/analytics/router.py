"""Support analytics for staff (JSON; the console draws the charts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter

from api.analytics.service import SupportAnalytics, support_analytics
from api.db import utcnow
from api.deps import CurrentStaff, SessionDep
from api.errors import DomainError

router = APIRouter(prefix="/v1/staff", tags=["staff: analytics"])
MAX_RANGE = timedelta(days=366)


class BadRange(DomainError):
    """A date range that is empty, reversed or too long."""

    status_code = 422


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@router.get("/analytics", response_model=SupportAnalytics)
def analytics(
    session: SessionDep, _: CurrentStaff, since: datetime | None = None, until: datetime | None = None
) -> SupportAnalytics:
    """Return containment, fallback and handoff rates, intents, funnel stages per day and recommendation CTR
    for [since, until) (default: the last 30 days)."""
    until = _utc(until) if until else utcnow()
    try:
        since = _utc(since) if since else until - timedelta(days=30)
    except OverflowError as exc:
        raise BadRange("'until' is too early to default 'since' to 30 days before it") from exc
    if since >= until:
        raise BadRange("'since' must be before 'until'")
    if until - since > MAX_RANGE:
        raise BadRange("the range is at most 366 days")
    return support_analytics(session, since, until)
