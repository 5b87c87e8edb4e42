"""POST /v1/recommendations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.analytics.period import resolve_period
from api.deps import AdminDep, RecommenderDep, ServiceDep, SessionDep
from api.recommendations.analytics import RecommendationStats, recommendation_stats
from api.recommendations.schemas import RecommendationsIn, RecommendationsOut

router = APIRouter(prefix="/v1", tags=["recommendations"])


@router.post("/recommendations", response_model=RecommendationsOut)
def recommendations(
    body: RecommendationsIn, session: SessionDep, recommender: RecommenderDep, _service: ServiceDep
) -> RecommendationsOut:
    """Recommend products for a shopper, merging their chat, their behaviour and the catalog.

    Server-to-server (the action server's key or the shop's): the answer reads the
    shopper's history, merged across sessions only through a verified customer link.
    """
    return recommender.recommend(session, body)


@router.get("/analytics/recommendations", response_model=RecommendationStats, dependencies=[AdminDep])
def recommendation_analytics(
    session: SessionDep,
    since: Annotated[datetime | None, Query(description="Start (ISO 8601); default: 30 days ago")] = None,
    until: Annotated[datetime | None, Query(description="End (ISO 8601), exclusive; default: now")] = None,
) -> RecommendationStats:
    """Click-through and conversion of the product cards the bot showed (admins)."""
    since, until = resolve_period(since, until)
    return recommendation_stats(session, since, until)
