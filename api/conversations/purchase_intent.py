"""Purchase intent per conversation: the NLU's stage and score fused with behaviour signals."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

SERVICE_STAGES = {"post_purchase", "account"}
PURCHASE_THRESHOLD = 0.6
CONSIDER_THRESHOLD = 0.3
SMOOTHING = 0.6  # weight of this turn's NLU score against the conversation's previous score


@dataclass(frozen=True)
class Signal:
    """A behaviour event reduced to what purchase intent needs."""

    type: str
    product_id: str
    at: datetime


@dataclass
class PurchaseIntent:
    """The fused stage and score, with the signals that produced them (shown to staff)."""

    stage: str
    score: float
    nlu_score: float | None
    behaviour_score: float
    signals: dict[str, float] = field(default_factory=dict)


def behaviour_score(signals: Sequence[Signal], now: datetime, half_life_hours: float = 24.0) -> tuple[float, dict]:
    """Return (score in 0..1, signal counts): carts count most, then repeat views, then views."""
    weight = {"add_to_cart": 1.0, "remove_from_cart": -0.7, "wishlist": 0.4}
    views = Counter(s.product_id for s in signals if s.type == "view")
    total = 0.0
    for s in signals:
        decay = math.pow(0.5, max(0.0, (now - s.at).total_seconds() / 3600) / half_life_hours)
        total += weight.get(s.type, 0.0) * decay
    repeat_views = sum(1 for n in views.values() if n >= 2)
    total += 0.35 * repeat_views + 0.05 * sum(views.values())
    carts = sum(1 for s in signals if s.type == "add_to_cart") - sum(1 for s in signals if s.type == "remove_from_cart")
    counts = {
        "cart_adds_net": float(max(carts, 0)),
        "repeat_views": float(repeat_views),
        "views": float(sum(views.values())),
    }
    return 1.0 - math.exp(-max(total, 0.0)), counts


def fuse(
    nlu_stage: str | None,
    nlu_score: float | None,
    previous_score: float | None,
    signals: Sequence[Signal],
    now: datetime,
) -> PurchaseIntent:
    """Fuse this turn's NLU purchase score (smoothed over the conversation) with behaviour.

    Score: noisy-OR of the smoothed NLU score and 0.8 x the behaviour score. Stage: a
    service stage (post-purchase, account) when the NLU says so; otherwise purchase above
    0.6, consider above 0.3, else browse.
    """
    b_score, counts = behaviour_score(signals, now)
    smoothed = nlu_score
    if nlu_score is not None and previous_score is not None:
        smoothed = SMOOTHING * nlu_score + (1 - SMOOTHING) * previous_score
    score = 1.0 - (1.0 - (smoothed or 0.0)) * (1.0 - 0.8 * b_score)
    purchases_recent = any(s.type == "purchase" and (now - s.at).total_seconds() < 3600 for s in signals)
    if nlu_stage in SERVICE_STAGES:
        stage = nlu_stage
    elif purchases_recent and score < PURCHASE_THRESHOLD:
        stage = "post_purchase"
    elif score >= PURCHASE_THRESHOLD:
        stage = "purchase"
    elif score >= CONSIDER_THRESHOLD or nlu_stage == "consider":
        stage = "consider"
    else:
        stage = "browse"
    return PurchaseIntent(stage, round(score, 4), nlu_score, round(b_score, 4), counts)
