"""Support analytics for staff (JSON; the console draws the charts)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter

from api.analytics.period import resolve_period
from api.analytics.service import SupportAnalytics, support_analytics
from api.deps import CurrentStaff, SessionDep

router = APIRouter(prefix="/v1/staff", tags=["staff: analytics"])


@router.get("/analytics", response_model=SupportAnalytics)
def analytics(
    session: SessionDep, _: CurrentStaff, since: datetime | None = None, until: datetime | None = None
) -> SupportAnalytics:
    """Return containment, fallback and handoff rates, intents, funnel stages per day and recommendation CTR
    for [since, until) (default: the last 30 days; at most 366 days)."""
    since, until = resolve_period(since, until, max_days=366)
    return support_analytics(session, since, until)
