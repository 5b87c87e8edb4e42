"""The date range of an analytics request: defaults, time zones, and clear refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.db import utcnow
from api.errors import DomainError


class BadRange(DomainError):
    """A date range that is empty, reversed, too long, or outside the calendar."""

    status_code = 422


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def resolve_period(
    since: datetime | None, until: datetime | None, default_days: int = 30, max_days: int | None = None
) -> tuple[datetime, datetime]:
    """Return [since, until) in UTC: until defaults to now, since to `default_days` before until."""
    until = _utc(until) if until else utcnow()
    try:
        since = _utc(since) if since else until - timedelta(days=default_days)
    except OverflowError as exc:
        raise BadRange(f"'until' is too early to default 'since' to {default_days} days before it") from exc
    if since >= until:
        raise BadRange("'since' must be before 'until'")
    if max_days is not None and until - since > timedelta(days=max_days):
        raise BadRange(f"the range is at most {max_days} days")
    return since, until
