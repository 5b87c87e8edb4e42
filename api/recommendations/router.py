"""POST /v1/recommendations."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import RecommenderDep, SessionDep
from api.recommendations.schemas import RecommendationsIn, RecommendationsOut

router = APIRouter(prefix="/v1", tags=["recommendations"])


@router.post("/recommendations", response_model=RecommendationsOut)
def recommendations(body: RecommendationsIn, session: SessionDep, recommender: RecommenderDep) -> RecommendationsOut:
    """Recommend products for a shopper, merging their chat, their behaviour and the catalog."""
    return recommender.recommend(session, body)
