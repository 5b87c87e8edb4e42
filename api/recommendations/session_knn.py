"""Item recommenders learnt from sessions: popularity, item-kNN and session-kNN.

Pure Python over item ids: no web framework, no database. The session-kNN follows
V-SKNN (Ludewig & Jannach, "Evaluation of session-based recommendation algorithms",
2018): neighbours are past sessions that share items with the current one, the current
session's items count more the more recent they are, and candidate items are scored by
the similarity of the neighbours they appear in, weighted by item rarity (IDF).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from api.recommendations.fusion import ranked, reciprocal_rank

Session = Sequence[str]


class Popularity:
    """Most frequent items first: the cold-start baseline."""

    name = "popularity"

    def fit(self, sessions: Iterable[Session]) -> Popularity:
        self.counts = Counter(item for s in sessions for item in s)
        self.ranked = [item for item, _ in self.counts.most_common()]
        return self

    def scores(self, current: Session, n: int) -> dict[str, float]:
        """Return up to n popular items not in the current session."""
        seen, out = set(current), {}
        for item in self.ranked:
            if item not in seen:
                out[item] = float(self.counts[item])
                if len(out) >= n:
                    break
        return out


class ItemKNN:
    """Items that co-occur in sessions with the last item (cosine over session sets)."""

    name = "item_knn"

    def __init__(self, neighbours: int = 200) -> None:
        self.neighbours = neighbours

    def fit(self, sessions: Iterable[Session]) -> ItemKNN:
        pair: dict[str, Counter[str]] = defaultdict(Counter)
        count: Counter[str] = Counter()
        for s in sessions:
            items = set(s)
            count.update(items)
            for a in items:
                for b in items:
                    if a != b:
                        pair[a][b] += 1
        self.similar: dict[str, list[tuple[str, float]]] = {}
        for a, others in pair.items():
            sims = [(b, c / math.sqrt(count[a] * count[b])) for b, c in others.items()]
            sims.sort(key=lambda x: (-x[1], x[0]))
            self.similar[a] = sims[: self.neighbours]
        return self

    def scores(self, current: Session, n: int) -> dict[str, float]:
        """Return items similar to the current session's last item."""
        if not current:
            return {}
        seen = set(current)
        out = {b: s for b, s in self.similar.get(current[-1], []) if b not in seen}
        return dict(sorted(out.items(), key=lambda x: (-x[1], x[0]))[:n])


@dataclass
class SessionKNNConfig:
    """Session-kNN parameters (tuned on a validation period, never on the test period).

    Attributes:
        k: Neighbour sessions that vote.
        sample: Most recent candidate sessions considered (bounds the work per query).
        decay: Weight of the current session's i-th most recent item: 1 / (1 + decay * i).
        idf: Weight candidate items by log(N / sessions containing the item).
        normalise: Divide the similarity by sqrt(neighbour length) (cosine-like).
    """

    k: int = 100
    sample: int = 1000
    decay: float = 1.0
    idf: bool = False
    normalise: bool = True


class SessionKNN:
    """V-SKNN: neighbour sessions vote for their items, weighted by similarity."""

    name = "session_knn"

    def __init__(self, config: SessionKNNConfig | None = None) -> None:
        self.config = config or SessionKNNConfig()

    def fit(self, sessions: Iterable[Session]) -> SessionKNN:
        """Index past sessions (given oldest first)."""
        self.sessions: list[tuple[str, ...]] = []
        self.by_item: dict[str, list[int]] = defaultdict(list)
        for s in sessions:
            idx = len(self.sessions)
            items = tuple(sorted(set(s)))
            self.sessions.append(items)
            for item in items:
                self.by_item[item].append(idx)
        total = max(1, len(self.sessions))
        self.idf = {item: math.log(total / len(ids)) + 1.0 for item, ids in self.by_item.items()}
        return self

    def weights(self, current: Session) -> dict[str, float]:
        """Return the current session's item weights: recent items weigh more."""
        out: dict[str, float] = {}
        for age, item in enumerate(reversed(current)):
            out.setdefault(item, 1.0 / (1.0 + self.config.decay * age))
        return out

    def neighbours(self, current: Session) -> list[tuple[int, float]]:
        """Return the k most similar past sessions with their similarity."""
        cfg = self.config
        weights = self.weights(current)
        candidates: set[int] = set()
        for item in weights:
            candidates.update(self.by_item.get(item, ())[-cfg.sample :])
        if len(candidates) > cfg.sample:
            candidates = set(sorted(candidates)[-cfg.sample :])  # the most recent sessions
        sims = []
        for idx in sorted(candidates):
            items = self.sessions[idx]
            sim = sum(w for item, w in weights.items() if item in items)
            if cfg.normalise:
                sim /= math.sqrt(len(items))
            if sim > 0:
                sims.append((idx, sim))
        sims.sort(key=lambda x: (-x[1], -x[0]))  # ties: the more recent session
        return sims[: cfg.k]

    def scores(self, current: Session, n: int) -> dict[str, float]:
        """Return up to n items the neighbours hold, scored by summed similarity."""
        seen = set(current)
        out: dict[str, float] = defaultdict(float)
        for idx, sim in self.neighbours(current):
            for item in self.sessions[idx]:
                if item not in seen:
                    out[item] += sim * (self.idf[item] if self.config.idf else 1.0)
        return dict(sorted(out.items(), key=lambda x: (-x[1], x[0]))[:n])


class Blend:
    """Session-kNN first, then item-kNN, then popularity: never an empty list.

    Scores are rank-fused (reciprocal rank, weighted), so each part fills in where the
    one before it knows nothing (a new session, a rare item).
    """

    name = "ours"

    def __init__(
        self,
        session_knn: SessionKNN,
        item_knn: ItemKNN,
        popularity: Popularity,
        weights: tuple[float, float, float] = (1.0, 0.3, 0.05),
    ) -> None:
        self.session_knn, self.item_knn, self.popularity = session_knn, item_knn, popularity
        self.weights = weights

    def fit(self, sessions: Sequence[Session]) -> Blend:
        self.session_knn.fit(sessions)
        self.item_knn.fit(sessions)
        self.popularity.fit(sessions)
        return self

    def scores(self, current: Session, n: int) -> dict[str, float]:
        k = max(n, 50)
        parts = (
            self.session_knn.scores(current, k),
            self.item_knn.scores(current, k),
            self.popularity.scores(current, k),
        )
        fused = reciprocal_rank(list(zip(self.weights, parts, strict=True)))
        return {item: fused[item] for item in ranked(fused)[:n]}
