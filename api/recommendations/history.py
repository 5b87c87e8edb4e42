"""Score a shopper's own past behaviour: recency-weighted views, carts and wishlists (pure)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

TYPE_WEIGHTS = {"view": 1.0, "wishlist": 2.0, "add_to_cart": 3.0, "remove_from_cart": -2.0, "purchase": 0.0}


@dataclass(frozen=True)
class Interaction:
    """One past action of the shopper on a product."""

    product_id: str
    type: str
    at: datetime


@dataclass
class HistoryScores:
    """Per-product interest from the shopper's history, and what they already bought."""

    scores: dict[str, float] = field(default_factory=dict)
    purchased: set[str] = field(default_factory=set)
    last_viewed: list[str] = field(default_factory=list)


def score_history(interactions: Iterable[Interaction], now: datetime, half_life_hours: float = 72.0) -> HistoryScores:
    """Return interest per product: type weight x exp-decay of age (half-life in hours).

    Purchased products are reported separately so callers can leave them out.
    """
    out = HistoryScores()
    scores: dict[str, float] = defaultdict(float)
    ordered = sorted(interactions, key=lambda i: i.at, reverse=True)
    for item in ordered:
        age_h = max(0.0, (now - item.at).total_seconds() / 3600)
        decay = math.pow(0.5, age_h / half_life_hours)
        scores[item.product_id] += TYPE_WEIGHTS.get(item.type, 0.0) * decay
        if item.type == "purchase":
            out.purchased.add(item.product_id)
        if item.type == "view" and item.product_id not in out.last_viewed:
            out.last_viewed.append(item.product_id)
    out.scores = {k: v for k, v in scores.items() if v > 0}
    return out
