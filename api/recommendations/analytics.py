"""Recommendation click-through and conversion, from stored replies and behaviour events."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from api.behaviour.models import BehaviourEvent
from api.conversations.models import Message


class RecommendationStats(BaseModel):
    """Cards shown, clicked, carted and bought in a period."""

    since: datetime
    until: datetime
    replies_with_cards: int
    cards_shown: int
    clicks: int
    cart_adds: int
    purchases_after_click: int
    click_through_rate: float | None
    conversion_rate: float | None


def recommendation_stats(session: Session, since: datetime, until: datetime) -> RecommendationStats:
    """Return click-through (clicks / cards shown) and conversion (purchases after a click / clicks)."""
    replies = cards = 0
    for content in session.scalars(
        select(Message.content)
        .where(Message.author == "bot", Message.created_at >= since, Message.created_at < until)
        .execution_options(yield_per=1000)
    ):
        products = (content or {}).get("products") or []
        if products:
            replies += 1
            cards += len(products)
    in_period = and_(BehaviourEvent.occurred_at >= since, BehaviourEvent.occurred_at < until)
    from_recs = and_(in_period, BehaviourEvent.source == "recommendation")
    clicks = session.scalar(select(func.count()).where(from_recs, BehaviourEvent.type == "view")) or 0
    carts = session.scalar(select(func.count()).where(from_recs, BehaviourEvent.type == "add_to_cart")) or 0
    click = aliased(BehaviourEvent)
    bought = (
        session.scalar(
            select(func.count(func.distinct(BehaviourEvent.id))).where(
                in_period,
                BehaviourEvent.type == "purchase",
                select(click.id)
                .where(
                    click.source == "recommendation",
                    click.product_id == BehaviourEvent.product_id,
                    click.session_id == BehaviourEvent.session_id,
                    click.occurred_at <= BehaviourEvent.occurred_at,
                )
                .exists(),
            )
        )
        or 0
    )
    return RecommendationStats(
        since=since,
        until=until,
        replies_with_cards=replies,
        cards_shown=cards,
        clicks=clicks,
        cart_adds=carts,
        purchases_after_click=bought,
        click_through_rate=round(clicks / cards, 4) if cards else None,
        conversion_rate=round(bought / clicks, 4) if clicks else None,
    )
