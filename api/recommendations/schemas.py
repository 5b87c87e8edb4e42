"""Recommendation API shapes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.conversations.schemas import ProductCard


class RecommendationsIn(BaseModel):
    """Who to recommend for, and optionally what they are asking about right now."""

    model_config = ConfigDict(extra="forbid")

    session_id: str | None = Field(default=None, min_length=1, max_length=128, description="Widget/session id")
    customer_id: str | None = Field(default=None, min_length=1, max_length=128)
    conversation_id: str | None = Field(default=None, max_length=128, description="Use this chat's history")
    query: str = Field(default="", max_length=500, description="The shopper's current request, if any")
    entities: list[dict[str, Any]] = Field(default_factory=list, description="NLU entities of the current turn")
    intent: str | None = Field(default=None, max_length=64, description="NLU intent of the current turn")
    language: Literal["en", "zh"] | None = Field(
        default=None, description="Write reasons and constraints in this language (default: the conversation's)"
    )

    limit: int = Field(default=6, ge=1, le=50)

    @model_validator(mode="after")
    def _someone(self) -> RecommendationsIn:
        if not (self.session_id or self.customer_id or self.conversation_id):
            raise ValueError("one of session_id, customer_id or conversation_id is required")
        return self


class RecommendedProduct(ProductCard):
    """One recommended product (a card as replies show it) with its score, why, and where it came from."""

    category_path: str = ""
    score: float
    reason: str
    sources: list[str]


class RecommendationsOut(BaseModel):
    """The list, and the context it was built from."""

    items: list[RecommendedProduct]
    cold_start: bool
    degraded: bool = Field(default=False, description="The product index was unavailable: popular items only")
    query: str = ""
    constraints: list[str] = Field(default_factory=list, description="What the shopper asked for, in words")
    relaxed: list[str] = Field(
        default_factory=list,
        description="Nothing in stock met every constraint: the ones that would have to go to find any "
        "(color, brand, price, category, exclusions). No products are listed then.",
    )
