"""Ranking metrics over graded judgments (unjudged results count as non-relevant)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg(gains: Sequence[float]) -> float:
    """Return discounted cumulative gain with exponential gains."""
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at(ranked: Sequence[str], judged: Mapping[str, float], k: int) -> float:
    """Return nDCG@k of a ranking against graded judgments."""
    ideal = dcg(sorted(judged.values(), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg([judged.get(doc, 0.0) for doc in ranked[:k]]) / ideal


def mrr_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Return the reciprocal rank of the first relevant result within k."""
    for i, doc in enumerate(ranked[:k]):
        if doc in relevant:
            return 1.0 / (i + 1)
    return 0.0


def recall_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Return the share of relevant documents found within k."""
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0
