"""Merge behaviour-based and chat-based candidate lists into one ranking (pure functions)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from api.recommendations.history import HistoryScores


@dataclass(frozen=True)
class FusionWeights:
    """How the two sources count.

    Attributes:
        behaviour: Weight of the behaviour ranking (session/item co-occurrence, history).
        chat: Weight of the chat ranking (retrieval for what the shopper asked).
        match_boost: Multiplier for behaviour candidates that satisfy what the shopper asked
            for (category, brand, colour, price range), even if retrieval did not rank them.
        mismatch_penalty: Multiplier for behaviour candidates that contradict it.
        rank_offset: The constant of reciprocal-rank fusion (60 in the RRF paper; smaller
            values favour the top of each list).
    """

    behaviour: float = 1.0
    chat: float = 1.0
    match_boost: float = 2.0
    mismatch_penalty: float = 0.25
    rank_offset: float = 10.0


def ranked(scores: Mapping[str, float]) -> list[str]:
    """Return the items best first (ties by id, so results are deterministic)."""
    return [item for item, _ in sorted(scores.items(), key=lambda x: (-x[1], x[0]))]


def reciprocal_rank(parts: Sequence[tuple[float, Mapping[str, float]]], offset: float = 10.0) -> dict[str, float]:
    """Fuse scored lists by weighted reciprocal rank: sum of weight / (offset + rank)."""
    out: dict[str, float] = defaultdict(float)
    for weight, scores in parts:
        for rank, item in enumerate(ranked(scores)):
            out[item] += weight / (offset + rank)
    return dict(out)


def behaviour_scores(
    history: HistoryScores, neighbours: Mapping[str, float], similar: Mapping[str, float]
) -> dict[str, float]:
    """The behaviour side of a recommendation: the shopper's own recency-weighted history,
    then session-kNN neighbours, then item-kNN look-alikes; bought products left out."""
    fused = reciprocal_rank([(1.0, history.scores), (0.5, neighbours), (0.3, similar)])
    return {item: score for item, score in fused.items() if item not in history.purchased}


def _ranks(scores: Mapping[str, float]) -> dict[str, int]:
    return {item: rank for rank, item in enumerate(ranked(scores))}


def merge(
    behaviour: Mapping[str, float],
    chat: Mapping[str, float],
    *,
    matches: Callable[[str], bool | None] | None = None,
    weights: FusionWeights | None = None,
    n: int = 20,
) -> list[tuple[str, float, tuple[str, ...]]]:
    """Return the top n items as (item, score, sources) with sources from {'behaviour', 'chat'}.

    `matches(item)` says whether a candidate satisfies the shopper's stated need: True
    boosts it, False penalises it, None (unknown) leaves it.
    """
    w = weights or FusionWeights()
    b_rank, c_rank = _ranks(behaviour), _ranks(chat)
    out: list[tuple[str, float, tuple[str, ...]]] = []
    for item in set(b_rank) | set(c_rank):
        score, sources = 0.0, []
        if item in b_rank:
            part = w.behaviour / (w.rank_offset + b_rank[item])
            verdict = matches(item) if matches is not None else None
            if verdict is True:
                part *= w.match_boost
            elif verdict is False:
                part *= w.mismatch_penalty
            score += part
            sources.append("behaviour")
        if item in c_rank:
            score += w.chat / (w.rank_offset + c_rank[item])
            sources.append("chat")
        out.append((item, score, tuple(sources)))
    out.sort(key=lambda x: (-x[1], x[0]))
    return out[:n]
