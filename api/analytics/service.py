"""Support analytics for a date range: containment, fallbacks, handoffs, intents, funnel, recommendations."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.behaviour.service import as_utc
from api.conversations.models import Conversation, Message, PurchaseIntentSnapshot
from api.recommendations.analytics import RecommendationStats, recommendation_stats
from api.turns.service import FALLBACK_INTENTS

STAGES = ("browse", "consider", "purchase", "post_purchase", "account", "conversation")


class DayPoint(BaseModel):
    """One day of a series."""

    day: date
    conversations: int
    handed_off: int
    stages: dict[str, int]


class SupportAnalytics(BaseModel):
    """The figures the staff console charts, for one date range."""

    since: datetime
    until: datetime
    conversations: int
    containment_rate: float | None
    handoff_rate: float | None
    shopper_messages: int
    fallback_rate: float | None
    intents: dict[str, int]
    days: list[DayPoint]
    recommendations: RecommendationStats


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def support_analytics(session: Session, since: datetime, until: datetime) -> SupportAnalytics:
    """Return containment (conversations that never needed a human), fallback and handoff rates,
    the intent distribution, the purchase-funnel stages per day and recommendation click-through."""
    in_range = (Conversation.created_at >= since, Conversation.created_at < until)
    first, last = as_utc(since).date(), as_utc(until - timedelta(microseconds=1)).date()
    days: dict[date, DayPoint] = {}  # every day of the range, so charts have no gaps
    for offset in range((last - first).days + 1):
        d = first + timedelta(days=offset)
        days[d] = DayPoint(day=d, conversations=0, handed_off=0, stages=dict.fromkeys(STAGES, 0))

    total = handed = 0
    for created, handed_off_at in session.execute(
        select(Conversation.created_at, Conversation.handed_off_at).where(*in_range)
    ):
        point = days[as_utc(created).date()]
        point.conversations += 1
        total += 1
        if handed_off_at is not None:
            point.handed_off += 1
            handed += 1
    shopper = (Message.author == "shopper", Message.created_at >= since, Message.created_at < until)
    intents = {
        str(intent): int(n)
        for intent, n in session.execute(
            select(Message.intent, func.count())
            .where(*shopper, Message.intent.is_not(None))
            .group_by(Message.intent)
            .order_by(func.count().desc(), Message.intent)
        )
    }
    understood = sum(intents.values())
    fallbacks = sum(n for i, n in intents.items() if i in FALLBACK_INTENTS)
    shopper_messages = session.scalar(select(func.count()).where(*shopper)) or 0
    last_stage: dict[tuple[date, str], str] = {}
    for cid, stage, at in session.execute(
        select(PurchaseIntentSnapshot.conversation_id, PurchaseIntentSnapshot.stage, PurchaseIntentSnapshot.created_at)
        .where(PurchaseIntentSnapshot.created_at >= since, PurchaseIntentSnapshot.created_at < until)
        .order_by(PurchaseIntentSnapshot.id)
    ):
        last_stage[(as_utc(at).date(), cid)] = stage
    for (d, _), stage in last_stage.items():
        days[d].stages[stage] = days[d].stages.get(stage, 0) + 1
    return SupportAnalytics(
        since=since,
        until=until,
        conversations=total,
        containment_rate=_rate(total - handed, total),
        handoff_rate=_rate(handed, total),
        shopper_messages=shopper_messages,
        fallback_rate=_rate(fallbacks, understood),
        intents=intents,
        days=[days[d] for d in sorted(days)],
        recommendations=recommendation_stats(session, since, until),
    )
