"""The co-occurrence model over stored behaviour, refreshed as events arrive."""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.behaviour.models import BehaviourEvent
from api.recommendations.session_knn import Blend, ItemKNN, Popularity, SessionKNN, SessionKNNConfig

log = logging.getLogger(__name__)
PRODUCT_TYPES = ("view", "add_to_cart", "wishlist", "purchase")
# Chosen on the Diginetica validation period by `make bench-recs` (see BENCHMARKS.md).
TUNED = SessionKNNConfig(k=50, decay=2.0, idf=True, normalise=True)
TUNED_WEIGHTS = (1.0, 0.6, 0.1)


class CoOccurrenceModel:
    """Session-kNN + item-kNN + popularity, fitted on the newest stored events.

    Refitting is cheap at shop scale (seconds for 100k events) and happens at most every
    `max_age_s`, and only when the event count changed; queries use the last fitted model.
    """

    def __init__(self, max_events: int = 100_000, max_age_s: float = 60.0) -> None:
        self.max_events = max_events
        self.max_age_s = max_age_s
        self._lock = threading.Lock()
        self._model: Blend | None = None
        self._fitted_at = 0.0
        self._fitted_count = -1

    def model(self, session: Session) -> Blend:
        """Return a fitted model, refitting first if it is stale."""
        with self._lock:
            if self._model is None or time.monotonic() - self._fitted_at > self.max_age_s:
                count = session.scalar(select(func.count(BehaviourEvent.id))) or 0
                if self._model is None or count != self._fitted_count:
                    self._model = self._fit(session)
                    self._fitted_count = count
                self._fitted_at = time.monotonic()
            return self._model

    def invalidate(self) -> None:
        """Refit on the next query (after a bulk import, say)."""
        with self._lock:
            self._fitted_at = 0.0

    def _fit(self, session: Session) -> Blend:
        started = time.perf_counter()
        rows = session.execute(
            select(BehaviourEvent.session_id, BehaviourEvent.customer_id, BehaviourEvent.product_id)
            .where(BehaviourEvent.type.in_(PRODUCT_TYPES), BehaviourEvent.product_id.is_not(None))
            .order_by(BehaviourEvent.occurred_at.desc(), BehaviourEvent.id.desc())
            .limit(self.max_events)
        ).all()
        sessions: dict[str, list[str]] = defaultdict(list)
        for session_id, customer_id, product_id in reversed(rows):
            sessions[session_id or customer_id or ""].append(product_id or "")
        model = Blend(SessionKNN(TUNED), ItemKNN(), Popularity(), TUNED_WEIGHTS).fit(list(sessions.values()))
        log.info(
            "recs.cooccurrence.fitted events=%d sessions=%d seconds=%.2f",
            len(rows),
            len(sessions),
            time.perf_counter() - started,
        )
        return model
